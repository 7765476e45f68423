package io.continuum.e2e.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A latency histogram as a PNG (headless AWT): 1 ms buckets up to {@code maxMs}, the rest in the last bar. */
public final class Histogram {

    private Histogram() {
    }

    public static Path write(Path file, String title, long[] nanos, int maxMs, double floorMs) throws Exception {
        System.setProperty("java.awt.headless", "true");
        int buckets = Math.max(1, maxMs);
        long[] count = new long[buckets + 1];
        for (long n : nanos) {
            count[(int) Math.min(buckets, n / 1_000_000)]++;
        }
        long top = 1;
        for (long c : count) {
            top = Math.max(top, c);
        }
        int w = 900, h = 420, left = 60, bottom = 50, plotW = w - left - 20, plotH = h - bottom - 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double bw = (double) plotW / (buckets + 1);
        g.setColor(new Color(70, 110, 190));
        for (int i = 0; i <= buckets; i++) {
            int bh = (int) Math.round((double) count[i] / top * plotH);
            g.fillRect(left + (int) (i * bw), h - bottom - bh, Math.max(1, (int) bw - 1), bh);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, h - bottom, left + plotW, h - bottom);
        g.drawLine(left, h - bottom, left, h - bottom - plotH);
        for (int ms = 0; ms <= buckets; ms += Math.max(1, buckets / 10)) {
            int x = left + (int) (ms * bw);
            g.drawString(ms == buckets ? ms + "+" : String.valueOf(ms), x, h - bottom + 15);
        }
        g.drawString("ms from request sent on A to frame on B", left + plotW / 2 - 110, h - 12);
        g.drawString(String.valueOf(top), 5, h - bottom - plotH + 5);
        if (floorMs > 0 && floorMs < buckets) {
            g.setColor(Color.RED);
            int x = left + (int) (floorMs * bw);
            g.drawLine(x, h - bottom, x, h - bottom - plotH);
            g.drawString(String.format("floor %.1f ms", floorMs), x + 4, h - bottom - plotH + 15);
        }
        g.dispose();
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }
}
