// Files RepoTune never completes in: the ones that look like secrets (by name or by a
// credential inside), so nothing secret is ever sent to the model or shown from it.
import type * as vscode from "vscode";
import { pathParts } from "../../core/gather/filters/path-parts";
import { secretFileRule } from "../../core/gather/filters/secret-file-names";
import { findSecret } from "../../core/gather/secrets/find-secret";

export class ExcludedFiles {
  // Scanned once per document version: typing keeps the answer fresh without rescanning
  // the whole file for every request of the same version.
  private readonly cache = new WeakMap<vscode.TextDocument, { version: number; reason: string | null }>();

  reason(document: vscode.TextDocument, relativePath: string): string | null {
    const cached = this.cache.get(document);
    if (cached && cached.version === document.version) return cached.reason;
    const byName = secretFileRule(pathParts(relativePath.replace(/\\/g, "/")));
    const reason = byName ?? (findSecret(document.getText(), document.languageId) ? "it holds a credential" : null);
    this.cache.set(document, { version: document.version, reason });
    return reason;
  }
}
