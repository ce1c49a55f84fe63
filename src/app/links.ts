import type { ExportFormat } from './reviews/resultsExport';

/**
 * The web dashboard's addresses, as the commands hand them out. The web adapter signs and builds them
 * (src/adapters/web/links.ts, `webLinks`); src/app never assembles a URL itself.
 */
export interface Links {
  /** A private (signed) link to one district's dashboard, and when it stops working. */
  dashboard(tenantId: string, districtId: string): { url: string; expiresAt: Date };
  /** A private (signed) download link for one review's results export in `format`. */
  exportUrl(tenantId: string, districtId: string, reviewId: string, format: ExportFormat): string;
  /**
   * A private (signed) link to the co-op network page of one member district's dashboard; with `notes`, the page
   * shows the network's practice notes (only for askers the policy lets read them, `network.notes`).
   */
  network?(
    tenantId: string,
    districtId: string,
    opts?: { notes?: boolean },
  ): { url: string; expiresAt: Date };
}
