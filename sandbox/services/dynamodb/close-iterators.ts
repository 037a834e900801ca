import { createRequire } from "node:module";

interface IteratorPrototype {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/**
 * dynalite reads every Query and Scan through a stream over a LevelDB iterator, and its stream
 * releases the iterator by calling `iterator.return()` when it ends or is destroyed. The iterators
 * of abstract-level 3 (what dynalite's `level` 10 gives) have `close()` and no `return()`, so each
 * Query and Scan left its iterator open until the table's database closed, holding LevelDB's memory
 * (measured: about 90 KB a query; paging through 300,000 items through the API took the sandbox's
 * process from 250 to 500 MB). Their `return` is given as their `close`.
 */
export function closeDynaliteIterators(): void {
  const fromDynalite = createRequire(require.resolve("dynalite"));
  // Each backend dynalite uses (on disk, in memory) resolves its own abstract-level.
  for (const backend of ["classic-level", "memory-level"]) {
    const fromBackend = createRequire(fromDynalite.resolve(backend));
    const { AbstractIterator } = fromBackend("abstract-level") as { AbstractIterator: { prototype: object } };
    // The common base of entry, key and value iterators.
    const common = Object.getPrototypeOf(AbstractIterator.prototype) as IteratorPrototype;
    if (common.return) continue;
    common.return = function (this: IteratorPrototype) {
      return this.close();
    };
  }
}
