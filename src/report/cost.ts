import type { StoragePrice } from '../config/inputs.js';

/** S3 bills a GB-month as 2^30 bytes: its pricing page counts 100 GB as 107,374,182,400 bytes. */
const BYTES_PER_GB = 2 ** 30;

/** What storing `bytes` for a month costs at the price. */
export function monthlyCost(bytes: number, usdPerGbMonth: number): number {
  return (bytes / BYTES_PER_GB) * usdPerGbMonth;
}

const cents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
// A price to the digit it was given with: $0.023, $0.0125, $1.50.
const asGiven = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 6,
});

/** An amount of dollars to the cent (`$1,234.50`); a non-zero amount below a cent says so. */
export function formatUsd(amount: number): string {
  return amount > 0 && amount < 0.005 ? 'less than $0.01' : cents.format(amount);
}

/** What the leak's bytes cost a month, and at which price, so that a reader can correct it. */
export function costNote(bytes: number, price: StoragePrice): string {
  const rate = `${asGiven.format(price.usdPerGbMonth)} per GB-month`;
  const source = price.given
    ? 'storage-price'
    : "Amazon S3 Standard's list price in us-east-1, the default of storage-price";
  return `${formatUsd(monthlyCost(bytes, price.usdPerGbMonth))} a month at ${rate} (${source})`;
}
