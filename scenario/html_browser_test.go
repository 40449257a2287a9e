package scenario_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

// chromiumNames are the binaries tried for the browser test, in order
// (Debian's package installs "chromium").
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// findChromium returns a Chromium binary, or skips the test when there is
// none — except in CI (CI=true), where a missing browser is a failure:
// .ci/run installs it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no Chromium binary (%s) on PATH in CI: .ci/run must install it (apt-get install chromium)", strings.Join(chromiumNames, ", "))
	}
	t.Skipf("no Chromium binary (%s) on PATH; install chromium to run the browser test", strings.Join(chromiumNames, ", "))
	return ""
}

// browserPage is what the test reads from the rendered page.
type browserPage struct {
	Banner        string   `json:"banner"`
	BannerLines   []string `json:"bannerLines"`
	BannerTop     float64  `json:"bannerTop"`
	BannerHeight  float64  `json:"bannerHeight"`
	Charts        int      `json:"charts"`
	HungStrips    int      `json:"hungStrips"`
	ChartWidth    float64  `json:"chartWidth"`
	InnerWidth    float64  `json:"innerWidth"`
	ScrollWidth   float64  `json:"scrollWidth"`
	EventLabels   []string `json:"eventLabels"`
	SecondLabels  []string `json:"secondEventLabels"`
	OutageLabels  []string `json:"outageLabels"`
	EventRows     []string `json:"eventRows"`
	LastTickRight float64  `json:"lastTickRight"`
	SVGRight      float64  `json:"svgRight"`
	SummaryHeight float64  `json:"summaryHeight"`
	LineHeight    float64  `json:"lineHeight"`
	CodeVisible   bool     `json:"codeVisible"`
	CodeOpened    bool     `json:"codeOpened"`
	FullCause     string   `json:"fullCause"`
}

const readPage = `(() => {
  const r = e => e.getBoundingClientRect();
  const banner = document.querySelector('#verdict');
  const charts = [...document.querySelectorAll('svg.chart')];
  const first = charts[0];
  const second = charts[1];
  const ticks = [...first.querySelectorAll('text.tick')];
  const last = ticks[ticks.length - 1];
  const summary = document.querySelector('#episodes details summary');
  const code = document.querySelector('#episodes details code');
  const cs = getComputedStyle(summary);
  return {
    banner: banner.querySelector('h2').innerText,
    bannerLines: [...banner.querySelectorAll('p')].map(p => p.innerText),
    bannerTop: r(banner).top, bannerHeight: r(banner).height,
    charts: charts.length,
    hungStrips: document.querySelectorAll('svg.hung').length,
    chartWidth: r(first).width, innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    eventLabels: [...first.querySelectorAll('.event-label')].map(e => e.textContent),
    secondEventLabels: [...second.querySelectorAll('.event-label')].map(e => e.textContent),
    outageLabels: [...first.querySelectorAll('.outage-label')].map(e => e.textContent),
    eventRows: [...document.querySelectorAll('#events tr')].slice(1).map(tr => tr.innerText),
    lastTickRight: r(last).right, svgRight: r(first).right,
    summaryHeight: r(summary).height, lineHeight: parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize),
    codeVisible: code.checkVisibility(),
    fullCause: code.textContent,
  };
})()`

// TestHTMLReportInBrowser opens the report of a two-group run in headless
// Chromium and checks what a person sees: the verdict banner at the top,
// one chart (and one hung-connections strip) per group, the outage and the
// events labelled on the chart and listed in the table, the last axis label
// inside the chart, the page no wider than the window, failure causes on
// one line until opened, no console errors and no network request. It
// leaves a screenshot in the test's temp dir (or WINCHAIN_REPORT_PNG).
func TestHTMLReportInBrowser(t *testing.T) {
	bin := findChromium(t)
	rep := runDemo(t, "seed-8h", func(s *scenario.Spec) {
		s.Groups[0].Count = 300
		owa := s.Groups[0]
		owa.Name, owa.Count = "owa", 120
		s.Groups = append(s.Groups, owa)
	})
	require.Len(t, rep.Groups, 2)
	var html bytes.Buffer
	require.NoError(t, rep.WriteHTML(&html))
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(page, html.Bytes(), 0o644))

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	var mu sync.Mutex
	var problems, requests []string
	record := func(list *[]string, s string) {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, s)
	}
	// Listen sees each event before the reply to the command after it.
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				record(&problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			record(&problems, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				record(&problems, "log: "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			record(&requests, ev.Request.URL)
		}
	}))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate("file://"+page),
		chromedp.WaitVisible(chromedp.CSS("#verdict")),
	))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[browserPage](readPage))
	require.NoError(t, err)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	png := filepath.Join(dir, "report.png")
	if p := os.Getenv("WINCHAIN_REPORT_PNG"); p != "" {
		png = p
	}
	require.NoError(t, os.WriteFile(png, shot, 0o644))
	t.Logf("screenshot: %s", png)

	// The verdict first, at the top of the window.
	require.Equal(t, "PASSED: all 2 asserts held", got.Banner)
	require.Less(t, got.BannerTop, 60.0)
	require.Positive(t, got.BannerHeight)
	require.Len(t, got.BannerLines, 2)
	require.Contains(t, got.BannerLines[0], "outlook: 300 of 300 clients failed at some point")
	require.Contains(t, got.BannerLines[0], "for 9h")
	require.Contains(t, got.BannerLines[1], "owa: 120 of 120 clients failed")

	// One chart and one hung-connections strip per group.
	require.Equal(t, 2, got.Charts)
	require.Equal(t, 2, got.HungStrips)

	// The outage and every event, labelled on the chart and in the table.
	require.Equal(t, []string{"network: http://pki.contoso.test/issuing1.crl timeout"}, got.OutageLabels)
	require.Equal(t, []string{"1 swap", "2 revert", "3 reboot", "4 certutil -urlcache * delete"}, got.EventLabels)
	// The reboot and the cache flush touched only outlook's clients.
	require.Equal(t, []string{"1 swap", "2 revert"}, got.SecondLabels)
	require.Len(t, got.EventRows, 5)
	require.Contains(t, got.EventRows[0], "T+0:50 (08:50 UTC)")
	require.Contains(t, got.EventRows[0], "T+8:00 (16:00 UTC)")
	require.Contains(t, got.EventRows[0], "network: http://pki.contoso.test/issuing1.crl timeout")
	require.Contains(t, got.EventRows[1], "T+1:00 (09:00 UTC)")

	// The page uses the window's width and nothing spills over it; the
	// last axis label is inside the chart.
	require.LessOrEqual(t, got.ScrollWidth, got.InnerWidth)
	require.Greater(t, got.ChartWidth, 0.9*got.InnerWidth)
	require.LessOrEqual(t, got.LastTickRight, got.SVGRight+0.5)

	// Failure causes: one line each, the full text in a closed <details>.
	require.Less(t, got.SummaryHeight, 1.6*got.LineHeight, "the cause summary must be one line")
	require.False(t, got.CodeVisible, "the full cause is hidden until asked for")
	require.Contains(t, got.FullCause, "CRL http://pki.contoso.test/issuing1.crl: timeout", "the full text is in the <details>")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#episodes details summary"))))
	opened, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#episodes details code').checkVisibility()`))
	require.NoError(t, err)
	require.True(t, opened, "clicking the summary shows the full cause")

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, problems, "console errors")
	for _, u := range requests {
		require.True(t, strings.HasPrefix(u, "file://") || strings.HasPrefix(u, "data:"), "the report loaded %s: it must be self-contained", u)
	}
}
