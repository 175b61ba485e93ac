// Error kinds of @metaop/distributed.
import { MetaOpError } from '@metaop/core';

/** Open MPI is missing or failed, a rank died, or a collective was misused. */
export class DistributedError extends MetaOpError {}

/** The ranks no longer agree: different parameters, shapes or graph structure. */
export class DivergenceError extends DistributedError {}
