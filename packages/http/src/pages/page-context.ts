import type { ResolvedAppOptions, PageOptions } from "../options.js";
import type { PageUrls } from "./urls.js";

/** What every page route needs: the app's options, the page settings and the page addresses. */
export interface PageContext {
  options: ResolvedAppOptions;
  pages: Required<PageOptions>;
  urls: PageUrls;
}
