import type { ResolvedAppOptions, PageOptions } from "../options.js";
import type { PageUrls } from "./urls.js";

/** Options, page settings and page addresses that every page route needs. */
export interface PageContext {
  options: ResolvedAppOptions;
  pages: Required<PageOptions>;
  urls: PageUrls;
}
