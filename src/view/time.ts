/*
 * The stay and opening hours in the property's time zone. Pure over Intl, so they are
 * unit-tested in Node; part of the key view's chunk.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, timeZone: string | undefined, withZone: boolean): Intl.DateTimeFormat {
  const id = `${locale} ${timeZone} ${withZone}`;
  let f = formats.get(id);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = withZone
      ? { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' }
      : { dateStyle: 'medium', timeStyle: 'short', timeZone };
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      // A malformed `lang` must not break rendering (the zone itself was validated).
      f = new Intl.DateTimeFormat('en', options);
    }
    formats.set(id, f);
  }
  return f;
}

/**
 * Whether `timeZone` shows other clock times than the phone's at any of `instants`: only
 * then are the property's times labelled with their zone.
 */
export function zoneDiffers(timeZone: string | undefined, instants: readonly string[], locale = 'en'): boolean {
  if (!timeZone) return false;
  return instants.some((iso) => {
    const date = new Date(iso);
    return format(locale, timeZone, false).format(date) !== format(locale, undefined, false).format(date);
  });
}

/**
 * A date-time as the property's clock shows it (the phone's when no zone is known), with the
 * zone's name when `labelled`.
 */
export function propertyTime(iso: string, locale: string, timeZone: string | undefined, labelled: boolean): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : format(locale, timeZone, labelled).format(date);
}

/** Minutes since midnight from `HH:MM` (`24:00` is 1440). */
function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * Whether `hours` (`HH:MM-HH:MM`, validated) are open at `now` on the property's clock. A range
 * that ends before it starts runs past midnight; equal ends mean open all day.
 */
export function openAt(hours: string, now: Date, timeZone: string | undefined): boolean {
  const [from, to] = hours.split('-').map(minutes) as [number, number];
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).formatToParts(now);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const at = part('hour') * 60 + part('minute');
  if (from === to) return true;
  return from < to ? at >= from && at < to : at >= from || at < to;
}
