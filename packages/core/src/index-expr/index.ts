export * from './ast.js';
export * from './format.js';
export * from './evaluate.js';
export * from './parse.js';
export * from './simplify.js';
