/** WCAG colour arithmetic for the key page's brand colours (`#rrggbb` only, as config checks). */

type Rgb = [number, number, number];

const parse = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const format = (rgb: Rgb): string => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** WCAG 2 relative luminance. */
export function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `a` mixed with `b`, `t` of the way (0 = a, 1 = b). */
export function mix(a: string, b: string, t: number): string {
  const [x, y] = [parse(a), parse(b)];
  return format(x.map((c, i) => c + (y[i]! - c) * t) as Rgb);
}

/**
 * `color`, or the nearest shade of it (towards white on a dark background, black on a light
 * one) that has at least `ratio` contrast against every colour in `backgrounds`.
 */
export function withContrast(color: string, backgrounds: string[], ratio: number): string {
  const enough = (c: string) => backgrounds.every((bg) => contrast(c, bg) >= ratio);
  if (enough(color)) return color;
  const darkBackground = backgrounds.every((bg) => luminance(bg) < 0.18);
  const target = darkBackground ? '#ffffff' : '#000000';
  for (let t = 0.05; t <= 1; t += 0.05) {
    const shade = mix(color, target, t);
    if (enough(shade)) return shade;
  }
  return target;
}

/**
 * Near-black or white text, whichever reads better on `background`; pure black where
 * near-black would miss 4.5:1 (mid-tone backgrounds; black or white always reach 4.58:1).
 */
export function textOn(background: string): string {
  const best = contrast('#111111', background) >= contrast('#ffffff', background) ? '#111111' : '#ffffff';
  if (contrast(best, background) >= 4.5) return best;
  return contrast('#000000', background) >= contrast('#ffffff', background) ? '#000000' : '#ffffff';
}
