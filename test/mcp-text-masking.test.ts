import { describe, expect, it } from 'vitest';
import { maskContactDetails, maskStrings, maskingRequested, textMasker } from '../src/text-masking.js';

describe('masking contact details said in calls (GONG_REDACT_TEXT=1)', () => {
  it.each([
    ['Write to ben.adler@berg.example please', 'Write to [email] please'],
    ['Call me at +1 (415) 555-0134 tomorrow.', 'Call me at [phone] tomorrow.'],
    ['reach me on 020 7946 0958.', 'reach me on [phone].'],
    ['it is ben at berg dot com, thanks', 'it is [email], thanks'],
    ['my number is five five five, one two three four', 'my number is [phone]'],
  ])('masks %j', (text, masked) => {
    expect(maskContactDetails(text)).toBe(masked);
  });

  it.each([
    'Budget is 54000 for 2026, close date 2027-03-31.',
    'We met at 10.30 on 3/12 with 3 people.',
    'Pricing is our main concern.',
    'Version 1.2.3 ships at 5',
  ])('leaves %j alone', (text) => {
    expect(maskContactDetails(text)).toBe(text);
  });

  it('is off unless asked, and masks every string of an answer', () => {
    expect(maskingRequested(undefined)).toBe(false);
    expect(maskingRequested('0')).toBe(false);
    expect(maskingRequested('1')).toBe(true);
    expect(textMasker(false)('a@b.com')).toBe('a@b.com');
    expect(maskStrings({ a: ['x a@b.com'], n: 5, nested: { t: 'call 415 555 0134' } }, textMasker(true))).toEqual({
      a: ['x [email]'],
      n: 5,
      nested: { t: 'call [phone]' },
    });
  });
});
