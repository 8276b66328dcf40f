/** The `web` target: the player on its own, for any web server; progress stays in the browser. */
import type { PackageTarget } from './types.js';

/** A folder of static files with `index.html`; no LMS and no descriptor. */
export const webTarget: PackageTarget = {
  name: 'web',
  description: 'static web bundle (index.html) that runs with no LMS; progress is kept in the browser',
  async write(input) {
    const page = await input.renderLaunchPage({ path: 'index.html', adapter: 'web' });
    return { files: [page], descriptors: [] };
  },
};
