// js-yaml 4 exports its built-in types at runtime (`types`, for custom
// schemas) but @types/js-yaml does not declare them.
import type { Type } from 'js-yaml';

declare module 'js-yaml' {
  export const types: Readonly<Record<'null' | 'bool' | 'int' | 'float' | 'timestamp' | 'merge' | 'binary' | 'omap' | 'pairs' | 'set', Type>>;
}
