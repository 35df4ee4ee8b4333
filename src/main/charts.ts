/** SVG charts to PNG with resvg, using the fonts bundled in resources/ so figures look alike everywhere. */
import { Resvg } from '@resvg/resvg-js';
import { join } from 'node:path';
import { resourcesDir } from './paths';

export function svgToPng(svg: string, scale = 2): Uint8Array {
  const fonts = join(resourcesDir(), 'fonts');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: [join(fonts, 'DejaVuSans.ttf'), join(fonts, 'DejaVuSans-Bold.ttf')],
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
    },
  });
  return resvg.render().asPng();
}
