// Hostile index text through reindex on the 'bang' renderer: refused with an IndexExprError, or
// rendered exactly as the canonical text of its parsed IR is (no user text in the source).
// METAOP_FUZZ_RUNS=N runs N cases per property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '@metaop/backend-bang';
import { checkIndexSource, grammarIndexPieces, hostileIndexPieces, randomIndexText } from '@metaop/compiler/testing';
import { fuzzRuns } from '@metaop/ops/testing';

const piece = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...grammarIndexPieces) }, { weight: 1, arbitrary: fc.constantFrom(...hostileIndexPieces) });
const soup = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));

describe('index text reaches the bang source only through the IR', () => {
  it('as index expressions and as overflow conditions', () => {
    const counts = { rendered: 0, refused: 0 };
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), soup, fc.nat(), (asCondition, structured, t0, seed) => {
        // Half structured text (mostly valid, a third with a hostile piece spliced in), half token soup.
        const t = structured ? randomIndexText(seed, asCondition) : t0;
        const r = checkIndexSource('bang', t, asCondition);
        counts[r.rendered ? 'rendered' : 'refused']++;
        expect(r.problem).toBeNull();
      }),
      { numRuns: fuzzRuns(600) },
    );
    console.log(`index source fuzz on bang: ${counts.rendered} rendered, ${counts.refused} refused`);
    expect(counts.rendered).toBeGreaterThan(0);
  });
});
