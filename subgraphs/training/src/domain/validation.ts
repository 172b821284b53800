import { userError, UserErrorCode, type UserError } from '../../../shared/src/mutations';

/** The longest single activity the platform accepts: 720 hours is a full term of full-time study. */
export const MAX_ACTIVITY_HOURS = 720;

/** Collects every problem with an input at once, each naming its field. */
export class InputCheck {
  readonly errors: UserError[] = [];

  hours(value: number, field: string[]): this {
    if (!Number.isFinite(value) || value <= 0 || value > MAX_ACTIVITY_HOURS || Math.round(value * 2) !== value * 2) {
      this.errors.push(userError(UserErrorCode.INVALID_INPUT, `Hours must be between 0.5 and ${MAX_ACTIVITY_HOURS}, in half hours; got ${value}.`, field));
    }
    return this;
  }

  text(value: string | null | undefined, field: string[], options: { required?: boolean; max?: number } = {}): this {
    const trimmed = value?.trim() ?? '';
    if (options.required !== false && trimmed === '') this.errors.push(userError(UserErrorCode.INVALID_INPUT, `${field.at(-1)} must not be empty.`, field));
    else if (trimmed.length > (options.max ?? 200)) this.errors.push(userError(UserErrorCode.INVALID_INPUT, `${field.at(-1)} is longer than ${options.max ?? 200} characters.`, field));
    return this;
  }

  notInFuture(date: string, today: string, field: string[]): this {
    if (date > today) this.errors.push(userError(UserErrorCode.INVALID_INPUT, `${field.at(-1)} ${date} is in the future.`, field));
    return this;
  }

  check(condition: boolean, message: string, field: string[]): this {
    if (!condition) this.errors.push(userError(UserErrorCode.INVALID_INPUT, message, field));
    return this;
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

export const today = () => new Date().toISOString().slice(0, 10);
