import { Cron } from "croner";

/**
 * EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 12 * * ? *)` (minutes, hours,
 * day of month, month, day of week with 1 = Sunday, year; in UTC). Either gives the next firing
 * after a moment.
 */
export interface Schedule {
  expression: string;
  next(after: Date): Date;
}

const rateUnits: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseSchedule(expression: string, createdAt: Date): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2].replace(/s$/, "");
    if (value < 1) throw new Error(`${expression}: the rate must be a positive whole number`);
    if ((value === 1) !== (rate[2] === unit))
      throw new Error(`${expression}: EventBridge takes 'rate(1 ${unit})' for one and 'rate(${Math.max(value, 2)} ${unit}s)' for more`);
    const periodMs = value * rateUnits[unit];
    // A rate counts from the rule's creation: here, the sandbox's deployment.
    return {
      expression,
      next: (after) => new Date(createdAt.getTime() + (Math.floor((after.getTime() - createdAt.getTime()) / periodMs) + 1) * periodMs),
    };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6)
      throw new Error(`${expression}: an EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year)`);
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
    if (dayOfMonth !== "?" && dayOfWeek !== "?") throw new Error(`${expression}: one of day-of-month and day-of-week must be '?'`);
    const job = new Cron([minutes, hours, wildcard(dayOfMonth), month, wildcard(sundayIsZero(dayOfWeek))].join(" "), {
      timezone: "UTC",
      paused: true,
    });
    const years = yearFilter(year, expression);
    return {
      expression,
      next(after) {
        let from = after;
        for (let tries = 0; tries < 1000; tries++) {
          const next = job.nextRun(from);
          if (!next) break;
          if (years(next.getUTCFullYear())) return next;
          from = next;
        }
        return new Date(8.64e15);
      },
    };
  }
  throw new Error(`'${expression}' is not a schedule expression: use rate(<n> <unit>) or cron(<6 fields>)`);
}

const wildcard = (field: string) => (field === "?" ? "*" : field);

/** EventBridge numbers days 1 (Sunday) to 7 (Saturday); cron libraries 0 to 6. Names stay. */
function sundayIsZero(field: string): string {
  return field.replace(/\d+/g, (day, offset: number, whole: string) => (whole[offset - 1] === "#" ? day : String(Number(day) - 1)));
}

function yearFilter(field: string, expression: string): (year: number) => boolean {
  if (field === "*" || field === "?") return () => true;
  const allowed = new Set<number>();
  for (const part of field.split(",")) {
    const range = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!range) throw new Error(`${expression}: the year field takes years, ranges or lists of them ('${field}')`);
    for (let year = Number(range[1]); year <= Number(range[2] ?? range[1]); year++) allowed.add(year);
  }
  return (year) => allowed.has(year);
}
