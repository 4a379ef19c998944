// How well a judge separates faithful from unfaithful pairs, for `reword judge` with labels and for
// calibration. Rejection is the positive class: precision is the share of rejections that were unfaithful,
// recall the share of unfaithful pairs rejected. Balanced accuracy is the mean of the recall on each class,
// so a judge that rejects everything (or nothing) scores 0.5 whatever the class balance.

/** Label 1: faithful; 0: changes or adds facts. */
export type FaithfulnessLabel = 0 | 1;

export interface Confusion {
  /** Unfaithful and rejected. */
  truePositives: number;
  /** Faithful but rejected. */
  falsePositives: number;
  /** Faithful and passed. */
  trueNegatives: number;
  /** Unfaithful but passed. */
  falseNegatives: number;
}

export interface RejectionMetrics extends Confusion {
  pairs: number;
  /** Mean of the rejection rate on unfaithful pairs and the pass rate on faithful ones; null without both classes. */
  balancedAccuracy: number | null;
  /** Share of rejections that were unfaithful; null when nothing was rejected. */
  precision: number | null;
  /** Share of unfaithful pairs rejected; null when there were none. */
  recall: number | null;
}

export function emptyConfusion(): Confusion {
  return { truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0 };
}

export function tally(confusion: Confusion, label: FaithfulnessLabel, rejected: boolean): void {
  if (label === 0) {
    if (rejected) confusion.truePositives++;
    else confusion.falseNegatives++;
  } else if (rejected) confusion.falsePositives++;
  else confusion.trueNegatives++;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export function rejectionMetrics(c: Confusion): RejectionMetrics {
  const unfaithful = c.truePositives + c.falseNegatives;
  const faithful = c.trueNegatives + c.falsePositives;
  const recall = ratio(c.truePositives, unfaithful);
  const specificity = ratio(c.trueNegatives, faithful);
  return {
    ...c,
    pairs: unfaithful + faithful,
    balancedAccuracy: recall === null || specificity === null ? null : (recall + specificity) / 2,
    precision: ratio(c.truePositives, c.truePositives + c.falsePositives),
    recall,
  };
}

/** "71.5" for 0.715; "-" for null. */
export function percent(x: number | null): string {
  return x === null ? '-' : (100 * x).toFixed(1);
}
