/**
 * How attribute schemas and structs get their codecs: generated functions (fast; made on first
 * use, not at import) or, where the process may not compile code from strings (node
 * --disallow-code-generation-from-strings, a CSP-like hardening), an interpreted loop over the
 * definitions that gives identical results, slower.
 * @internal
 * @module
 */

/**
 * How a schema or struct gets its codecs: `auto` generates them when the process allows
 * code generation and interprets the definitions otherwise. @internal
 */
export type CodecMode = 'auto' | 'generated' | 'interpreted';

let codeGeneration: boolean | undefined;

/** Whether this process may compile functions from strings (false under --disallow-code-generation-from-strings). @internal */
export function canGenerateCode(): boolean {
  if (codeGeneration === undefined) {
    try {
      codeGeneration = new Function('return true')() === true;
    } catch {
      codeGeneration = false;
    }
  }
  return codeGeneration;
}

/** Whether codecs made in `mode` are generated (else interpreted). @internal */
export function useGenerated(mode: CodecMode): boolean {
  return mode === 'generated' || (mode === 'auto' && canGenerateCode());
}
