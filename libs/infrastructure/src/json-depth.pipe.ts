import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ApplicationError } from '@olist/shared-kernel';

export class TooDeepJsonError extends ApplicationError {
  readonly code = 'REQUEST.TOO_DEEP';
  readonly kind = 'invalid';
}

/**
 * Refuses request bodies nested deeper than `maxDepth` before validation: class-transformer recurses once
 * per level, so a body of a few thousand nested arrays would otherwise overflow the stack (a 500). Our
 * bodies are at most four levels deep. The check itself walks the body without recursion.
 */
@Injectable()
export class JsonDepthPipe implements PipeTransform {
  constructor(private readonly maxDepth = 16) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || value === null || typeof value !== 'object') return value;
    const pending: Array<[unknown, number]> = [[value, 1]];
    while (pending.length > 0) {
      const [node, depth] = pending.pop()!;
      if (depth > this.maxDepth) throw new TooDeepJsonError(`the body is nested more than ${this.maxDepth} levels deep`, { maxDepth: this.maxDepth });
      for (const child of Array.isArray(node) ? node : Object.values(node as object)) {
        if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
      }
    }
    return value;
  }
}
