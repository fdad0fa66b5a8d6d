/**
 * Reporting: the monthly review (docs/views.md, The monthly review), its months, the views it asks
 * and a draft replayed over them, assembled from the sources it is given.
 */
export * from './review-month';
export * from './review-queries';
export * from './monthly-review';
export * from './review-draft';
export * from './review';
