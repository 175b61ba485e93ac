// Loading compiled kernel libraries with koffi: each library is opened once per process and kept
// open (kernels are called for the life of the process).
import koffi from 'koffi';

export type NativeLibrary = ReturnType<typeof koffi.load>;

const libraries = new Map<string, NativeLibrary>();

/**
 * The library at `path`, opened on first use by `open` (default koffi.load; the C backend wraps it
 * so OpenMP's runtime loads the way it wants).
 */
export function loadLibrary(path: string, open: (path: string) => NativeLibrary = (p) => koffi.load(p)): NativeLibrary {
  let lib = libraries.get(path);
  if (!lib) libraries.set(path, (lib = open(path)));
  return lib;
}

/** True once `path` has been opened by loadLibrary in this process. */
export function isLoaded(path: string): boolean {
  return libraries.has(path);
}
