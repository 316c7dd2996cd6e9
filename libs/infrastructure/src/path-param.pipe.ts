import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApplicationError } from '@olist/shared-kernel';

/** A path parameter that is not of its form (`../`, NUL, kilobytes of text…). */
export class InvalidPathParameterError extends ApplicationError {
  readonly code = 'REQUEST.INVALID';
  readonly kind = 'invalid';
}

/**
 * Checks a path parameter against its form before any handler sees it: 400 naming the parameter, with the
 * value cut short in the message. Whether a well-formed value exists (a mart, a file) is the handler's 404.
 */
@Injectable()
export class PathParam implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly form: RegExp,
    private readonly described: string,
  ) {}

  transform(value: string): string {
    if (typeof value === 'string' && this.form.test(value)) return value;
    const shown = JSON.stringify(String(value).slice(0, 40)) + (String(value).length > 40 ? '…' : '');
    throw new InvalidPathParameterError(`${this.name}: ${shown} is not ${this.described}`, { parameter: this.name });
  }
}

/** Lower-case identifiers: source file names (`order_items`), mart names (`monthly_revenue`). */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
