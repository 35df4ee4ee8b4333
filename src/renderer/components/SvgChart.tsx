/**
 * A chart drawn by the shared SVG builder (the same figures the CLI writes), shown inline and
 * exported as SVG or PNG with its title, legend and settings caption.
 */
import { useEffect, useState } from 'react';
import { chartSvg, type ChartSpec } from '../../shared/charts/svg';

/** The app's theme, following the root element's data-theme. */
export function useDocumentTheme(): 'light' | 'dark' {
  const read = () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
  const [theme, setTheme] = useState<'light' | 'dark'>(read);
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(read()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

export function SvgChart({ spec, testId }: { spec: ChartSpec; testId?: string }) {
  const theme = useDocumentTheme();
  const svg = chartSvg({ ...spec, theme: spec.theme ?? theme });
  return (
    <figure
      className="svg-chart"
      data-testid={testId}
      aria-label={spec.title}
      // The SVG is built from our own strings, every text escaped (escapeXml).
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}

/** PNG bytes of an SVG, rendered through an image and a canvas at `scale`. */
export async function svgToPngBytes(svg: string, scale = 2): Promise<Uint8Array> {
  const size = /<svg[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"/.exec(svg);
  const width = Number(size?.[1] ?? 800);
  const height = Number(size?.[2] ?? 600);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be rendered as an image.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d')!;
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The chart could not be encoded as PNG.');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}
