/** Small statistics for benchmark figures: medians of repeated runs and a straight-line fit. */

/** The median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new Error("median of no values");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A least-squares line y ≈ intercept + slope·x, and how much of y's variance it explains. */
export interface LineFit {
    readonly intercept: number;
    readonly slope: number;
    /** Coefficient of determination: 1 is a perfect line. */
    readonly r2: number;
}

/** Ordinary least squares over the points; needs two distinct x values. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
    if (xs.length !== ys.length || xs.length < 2) {
        throw new Error("fitLine needs two or more (x, y) points");
    }
    const n = xs.length;
    const meanX = xs.reduce((s, x) => s + x, 0) / n;
    const meanY = ys.reduce((s, y) => s + y, 0) / n;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
        sxx += (xs[i] - meanX) ** 2;
        sxy += (xs[i] - meanX) * (ys[i] - meanY);
        syy += (ys[i] - meanY) ** 2;
    }
    if (sxx === 0) {
        throw new Error("fitLine needs two distinct x values");
    }
    const slope = sxy / sxx;
    const intercept = meanY - slope * meanX;
    const residual = ys.reduce((s, y, i) => s + (y - (intercept + slope * xs[i])) ** 2, 0);
    return { intercept, slope, r2: syy === 0 ? 1 : 1 - residual / syy };
}
