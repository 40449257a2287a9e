package scenario

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// The HTML report is for a person deciding whether a rotation is safe: the
// verdict first, then per group a chart of the clients' states with the
// network outages and events drawn on it, hung connections on a strip of
// their own, and the tables. It is one self-contained file: hand-written
// SVG and CSS, no script, no font or image to load, so it opens offline and
// renders the same everywhere.

// Colours: the Okabe–Ito palette, distinguishable with the common forms of
// colour blindness (Okabe & Ito, "Color Universal Design", 2008). Trusted
// is bluish green; failure outcomes take the others in name order.
const (
	colourTrusted = "#009E73"
	colourOutage  = "#7f7f7f"
	colourEvent   = "#0072B2"
	colourHung    = "#000000"
)

var failurePalette = []string{"#D55E00", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#0072B2", "#999999"}

// maxCauseSummary bounds the one-line form of a failure cause; the full
// text is in the row's <details>.
const maxCauseSummary = 110

// Chart geometry, in SVG user units (the SVG scales to the page width).
const (
	chartW, chartH         = 1000.0, 300.0
	chartLeft, chartRight  = 56.0, 24.0 // room for the last axis label
	chartTop, chartBottom  = 64.0, 40.0 // event labels and the outage strip above, two-line time labels below
	stripTop, stripH       = 36.0, 16.0 // the outage strip
	hungH, hungTop, hungBt = 90.0, 14.0, 24.0
)

// outage is a network rule of the scenario drawn as a band.
type outage struct {
	From, Until time.Time
	Label       string
}

// outages lists the scenario's network rules that make URLs fail, slow or
// answer with an HTTP error, clipped to the run.
func (r *Report) outages() []outage {
	if r.spec == nil {
		return nil
	}
	end := r.Start.Add(r.spec.Duration.D())
	var out []outage
	for _, n := range r.spec.Network {
		from := r.Start.Add(n.From.D())
		until := end
		if n.Until != 0 {
			until = r.Start.Add(n.Until.D())
		}
		what := n.Fail
		switch {
		case what == "" && n.Status != 0:
			what = fmt.Sprintf("HTTP %d", n.Status)
		case what == "" && n.Latency != 0:
			what = "latency " + n.Latency.D().String()
		case what == "":
			continue
		}
		target := n.URL
		if target == "" {
			target = n.Prefix + "*"
		}
		out = append(out, outage{From: from, Until: until, Label: target + " " + what})
	}
	return out
}

// clock formats t as the wall-clock time beside a T+ offset: "09:50" on
// the start day, "Nov 25 09:50" later.
func (r *Report) clock(t time.Time) string {
	if sameDay(t, r.Start) {
		return t.UTC().Format("15:04")
	}
	return t.UTC().Format("Jan 2 15:04")
}

func sameDay(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.YearDay() == b.YearDay() && a.Year() == b.Year()
}

// when renders an offset with its clock time: "T+0:50 (08:50 UTC)".
func (r *Report) when(t time.Time) string {
	return fmt.Sprintf("%s (%s UTC)", offset(r.Start, t), r.clock(t))
}

// atOffset finds the time of a "T+h:mm" offset the report printed.
func (r *Report) atOffset(off string) (time.Time, bool) {
	for _, sr := range r.Timeline {
		if sr.Offset == off {
			return sr.At, true
		}
	}
	return time.Time{}, false
}

func (r *Report) whenOffset(off string) string {
	if off == "" {
		return ""
	}
	if t, ok := r.atOffset(off); ok {
		return r.when(t)
	}
	return off
}

// x maps a time to the chart's x coordinate.
func (r *Report) x(t time.Time) float64 {
	n := len(r.Timeline)
	first, last := r.Timeline[0].At, r.Timeline[n-1].At
	span := last.Sub(first)
	if span <= 0 {
		return chartLeft
	}
	f := float64(t.Sub(first)) / float64(span)
	f = min(max(f, 0), 1)
	return chartLeft + (chartW-chartLeft-chartRight)*f
}

// colours assigns each outcome its colour.
func (r *Report) colours() ([]string, map[string]string) {
	names := r.outcomeNames()
	colours := map[string]string{}
	ci := 0
	for _, name := range names {
		if name == "trusted" {
			colours[name] = colourTrusted
			continue
		}
		colours[name] = failurePalette[ci%len(failurePalette)]
		ci++
	}
	return names, colours
}

// eventTouches reports whether an event concerns group gi: an event
// scoped to another group ("reboot: 81 clients of outlook") is left off
// that group's chart (the table lists every event).
func (r *Report) eventTouches(e EventRecord, gi int) bool {
	i := strings.LastIndex(e.What, " clients of ")
	if i < 0 {
		return true
	}
	scope := e.What[i+len(" clients of "):]
	return scope == "all groups" || scope == r.Groups[gi].Name
}

// eventLabel is the short label of an event on the chart: its kind
// ("swap", "reboot").
func eventLabel(what string) string {
	if i := strings.Index(what, ":"); i > 0 {
		return what[:i]
	}
	return what
}

// timeAxis draws the x axis: T+ offsets with the clock time under each;
// the first label is anchored at its start and the last at its end, so
// neither is clipped.
func (r *Report) timeAxis(b *strings.Builder, y float64, ticks int) {
	n := len(r.Timeline)
	fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#333"/>`, chartLeft, y, chartW-chartRight, y)
	prev := r.Start
	for k := 0; k <= ticks; k++ {
		i := (n - 1) * k / ticks
		at := r.Timeline[i].At
		x := r.x(at)
		anchor := "middle"
		switch k {
		case 0:
			anchor = "start"
		case ticks:
			anchor = "end"
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333"/>`, x, y, x, y+4)
		fmt.Fprintf(b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x, y+16, anchor, r.Timeline[i].Offset)
		// The date only where the day changes, so labels stay short.
		label := at.UTC().Format("15:04")
		if k > 0 && !sameDay(at, prev) {
			label = at.UTC().Format("Jan 2 15:04")
		}
		prev = at
		fmt.Fprintf(b, `<text class="tick clock" x="%.1f" y="%.1f" text-anchor="%s">%s UTC</text>`, x, y+29, anchor, label)
	}
}

// svgChart draws one group: the number of clients in each state over time
// as stacked areas, the network outages as labelled bands and the events
// as numbered, labelled markers.
func (r *Report) svgChart(gi int) string {
	n := len(r.Timeline)
	if n < 2 {
		return ""
	}
	names, colours := r.colours()
	total := float64(r.Groups[gi].Clients)
	if total <= 0 {
		total = 1
	}
	plotTop, plotBottom := chartTop, chartH-chartBottom
	y := func(v float64) float64 { return plotTop + (plotBottom-plotTop)*(1-v/total) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="clients of group %s by state over time" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%">`,
		template.HTMLEscapeString(r.Groups[gi].Name), chartW, chartH)
	base := make([]float64, n)
	for _, name := range names {
		var pts []string
		top := make([]float64, n)
		for i := 0; i < n; i++ {
			top[i] = base[i] + float64(r.Timeline[i].Groups[gi].State[name])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", r.x(r.Timeline[i].At), y(top[i])))
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", r.x(r.Timeline[i].At), y(base[i])))
		}
		fmt.Fprintf(&b, `<polygon class="state" points="%s" fill="%s"><title>%s</title></polygon>`, strings.Join(pts, " "), colours[name], template.HTMLEscapeString(name))
		base = top
	}
	// Outages: a labelled bar on the strip above the plot and a hatched
	// band over it. Several outages share the strip, each in its slot.
	outs := r.outages()
	for oi, o := range outs {
		x1, x2 := r.x(o.From), r.x(o.Until)
		h := stripH / float64(len(outs))
		sy := stripTop + h*float64(oi)
		fmt.Fprintf(&b, `<g class="outage"><title>network %s → %s: %s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#hatch%d)" stroke="%s" stroke-dasharray="3 2"/>`,
			r.when(o.From), r.when(o.Until), template.HTMLEscapeString(o.Label), x1, plotTop, max(x2-x1, 1), plotBottom-plotTop, gi, colourOutage)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.45" stroke="%s"/>`, x1, sy, max(x2-x1, 1), h-1, colourOutage, colourOutage)
		fmt.Fprintf(&b, `<text class="outage-label" x="%.1f" y="%.1f">network: %s</text></g>`, x1+4, sy+h-4, template.HTMLEscapeString(o.Label))
	}
	// Events: a dashed line and a numbered label above the plot; labels
	// alternate between two rows so neighbours do not overlap.
	for ei, e := range r.Events {
		if !r.eventTouches(e, gi) {
			continue
		}
		x := r.x(e.At)
		row := float64(ei % 2)
		// Labels read rightwards from their line (leftwards near the right
		// edge), so a label never crosses its neighbour's line.
		anchor, lx := "start", x+3
		if x > chartW-chartRight-160 {
			anchor, lx = "end", x-3
		}
		fmt.Fprintf(&b, `<g class="event"><title>%s %s</title><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`,
			r.when(e.At), template.HTMLEscapeString(e.What), x, 18+row*14, x, plotBottom, colourEvent)
		fmt.Fprintf(&b, `<text class="event-label" x="%.1f" y="%.1f" text-anchor="%s">%d %s</text></g>`,
			lx, 14+row*14, anchor, ei+1, template.HTMLEscapeString(eventLabel(e.What)))
	}
	// Y axis and the time axis.
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#333"/>`, chartLeft, plotTop, chartLeft, plotBottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%d</text>`, chartLeft-4, plotTop+4, r.Groups[gi].Clients)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">0</text>`, chartLeft-4, plotBottom)
	fmt.Fprintf(&b, `<text class="tick" x="12" y="%.1f" transform="rotate(-90 12 %.1f)" text-anchor="middle">clients</text>`, (plotTop+plotBottom)/2, (plotTop+plotBottom)/2)
	r.timeAxis(&b, plotBottom, 6)
	fmt.Fprintf(&b, `<defs><pattern id="hatch%d" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="%s" fill-opacity="0.12"/><line x1="0" y1="0" x2="0" y2="8" stroke="%s" stroke-width="2" stroke-opacity="0.45"/></pattern></defs>`,
		gi, colourOutage, colourOutage)
	b.WriteString(`</svg>`)
	return b.String()
}

// svgHung draws one group's hung connections per step on a strip of its
// own, under the chart and on the same time axis.
func (r *Report) svgHung(gi int) string {
	n := len(r.Timeline)
	if n < 2 {
		return ""
	}
	most := 0
	for i := range r.Timeline {
		most = max(most, r.Timeline[i].Groups[gi].Hung)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="hung" role="img" aria-label="hung connections of group %s" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%">`,
		template.HTMLEscapeString(r.Groups[gi].Name), chartW, hungH+hungBt)
	bottom := hungH
	for _, o := range r.outages() {
		x1, x2 := r.x(o.From), r.x(o.Until)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.12"/>`, x1, hungTop, max(x2-x1, 1), bottom-hungTop, colourOutage)
	}
	barW := (chartW - chartLeft - chartRight) / float64(n-1)
	for i := range r.Timeline {
		h := r.Timeline[i].Groups[gi].Hung
		if h == 0 || most == 0 {
			continue
		}
		bh := (bottom - hungTop) * float64(h) / float64(most)
		fmt.Fprintf(&b, `<rect class="hung-bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d hung connections</title></rect>`,
			r.x(r.Timeline[i].At)-barW/2, bottom-bh, max(barW*0.8, 1), bh, colourHung, r.when(r.Timeline[i].At), h)
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#333"/>`, chartLeft, hungTop, chartLeft, bottom)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#333"/>`, chartLeft, bottom, chartW-chartRight, bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">%d</text>`, chartLeft-4, hungTop+4, most)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f" text-anchor="end">0</text>`, chartLeft-4, bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%.0f" y="%.1f">hung connections per step (blocked %s or more in URL retrieval)</text>`, chartLeft+6, hungTop-3, template.HTMLEscapeString(r.HungAfter))
	b.WriteString(`</svg>`)
	return b.String()
}

// legend lists the colours of the chart.
func (r *Report) legend() template.HTML {
	names, colours := r.colours()
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, `<span class="key"><span class="sw" style="background:%s"></span>%s</span> `, colours[name], template.HTMLEscapeString(name))
	}
	if len(r.outages()) > 0 {
		b.WriteString(`<span class="key"><span class="sw outage-sw"></span>network outage</span> `)
	}
	if len(r.Events) > 0 {
		fmt.Fprintf(&b, `<span class="key"><span class="sw ev-sw" style="border-color:%s"></span>event (numbered as in the table)</span>`, colourEvent)
	}
	return template.HTML(b.String()) // #nosec: built from escaped parts
}

// verdict is the banner at the top of the page.
type verdict struct {
	Pass  bool
	Title string
	Lines []string
}

func (r *Report) verdict() verdict {
	failed := 0
	for _, a := range r.Asserts {
		if !a.Pass {
			failed++
		}
	}
	v := verdict{Pass: failed == 0}
	switch {
	case len(r.Asserts) == 0:
		v.Title = "No asserts"
	case failed == 0:
		v.Title = fmt.Sprintf("PASSED: all %d asserts held", len(r.Asserts))
	default:
		v.Title = fmt.Sprintf("FAILED: %d of %d asserts failed", failed, len(r.Asserts))
	}
	for gi, s := range r.Summary {
		if s.EverFailed == 0 {
			v.Lines = append(v.Lines, fmt.Sprintf("%s: all %d clients stayed trusted.", s.Group, s.Clients))
			continue
		}
		line := fmt.Sprintf("%s: %d of %d clients failed at some point; at worst %d at once, at %s.",
			s.Group, s.EverFailed, s.Clients, s.MaxFailing, r.whenOffset(s.MaxFailingAt))
		if first, ok := r.firstFailure(gi); ok {
			switch {
			case s.StillFailing > 0:
				line += fmt.Sprintf(" Failures began at %s; %d still failing at the end.", r.when(first), s.StillFailing)
			case s.AllTrustedAgainAt != "":
				if back, ok := r.atOffset(s.AllTrustedAgainAt); ok {
					line += fmt.Sprintf(" Clients failed from %s until %s, for %s.", r.when(first), r.when(back), back.Sub(first))
				}
			}
		}
		v.Lines = append(v.Lines, line)
	}
	return v
}

// firstFailure is the first step at which a client of group gi was not
// trusted.
func (r *Report) firstFailure(gi int) (time.Time, bool) {
	g := r.Groups[gi]
	for _, sr := range r.Timeline {
		gs := sr.Groups[gi]
		if n := g.Clients - gs.State["trusted"] - gs.State["not-connected"]; n > 0 {
			return sr.At, true
		}
	}
	return time.Time{}, false
}

// eventRow is a row of the events table: an event or an outage.
type eventRow struct {
	N     string
	When  string
	Until string
	What  string
	Kind  string
}

func (r *Report) eventRows() []eventRow {
	var rows []eventRow
	for _, o := range r.outages() {
		rows = append(rows, eventRow{When: r.when(o.From), Until: r.when(o.Until), What: "network: " + o.Label, Kind: "outage"})
	}
	for i, e := range r.Events {
		rows = append(rows, eventRow{N: fmt.Sprint(i + 1), When: r.when(e.At), What: e.What, Kind: "event"})
	}
	return rows
}

// causeRow is a failure episode with its cause shortened to one line.
type causeRow struct {
	Recovery
	Failed, Recovered string
	Short, LastShort  string
}

// shortCause keeps the first clause of a cause ("CRYPT_E_REVOCATION_OFFLINE
// on CN=…: CRL … is stale") within maxCauseSummary characters.
func shortCause(s string) string {
	if i := strings.Index(s, "; "); i > 0 {
		s = s[:i]
	}
	if len(s) > maxCauseSummary {
		cut := maxCauseSummary
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func (r *Report) causeRows() []causeRow {
	var rows []causeRow
	for _, rc := range r.Recoveries {
		cr := causeRow{Recovery: rc, Failed: r.whenOffset(rc.FailedAt), Recovered: r.whenOffset(rc.RecoveredAt),
			Short: shortCause(rc.Cause)}
		if rc.LastCause != "" {
			cr.LastShort = shortCause(rc.LastCause)
		}
		rows = append(rows, cr)
	}
	return rows
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>winchain simulation: {{.R.Name}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.2em 2vw;color:#222}
h1{margin:.2em 0 .4em}h2{margin-top:1.6em}
.banner{padding:.8em 1.2em;border-radius:6px;margin:0 0 1em;border:2px solid}
.banner-pass{background:#e6f4ef;border-color:#009E73}.banner-fail{background:#fbe9e0;border-color:#D55E00}
.banner h2{margin:0 0 .3em;font-size:1.4em}.banner p{margin:.2em 0}
table{border-collapse:collapse;margin:.6em 0;width:100%}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px;vertical-align:top}
th{background:#f4f4f4}.pass{color:#007a58;font-weight:bold}.fail{color:#b34700;font-weight:bold}
.legend{font-size:13px;margin:4px 0 6px}.key{margin-right:16px;white-space:nowrap}
.sw{display:inline-block;width:13px;height:13px;margin-right:5px;vertical-align:middle;border:1px solid #555}
.outage-sw{background:repeating-linear-gradient(45deg,#bbb 0 2px,#eee 2px 6px)}.ev-sw{border:0;border-left:2px dashed;width:0;height:14px}
svg{display:block;max-width:100%;height:auto}svg text{font-size:12px;fill:#222}
svg .clock{fill:#666}svg .event-label{font-weight:bold;fill:#0072B2}svg .outage-label{fill:#111;font-size:11px;font-weight:bold}
svg.hung{margin-bottom:1.2em}code{font-size:12px}details summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;}td.why{max-width:0;width:45%}td.t{white-space:nowrap}details code{display:block;white-space:pre-wrap;margin-top:4px}
tr.outage td{background:#f3f3f3}
</style></head><body>
<div class="banner {{if .V.Pass}}banner-pass{{else}}banner-fail{{end}}" id="verdict"><h2>{{.V.Title}}</h2>
{{range .V.Lines}}<p>{{.}}</p>{{end}}</div>
<h1>{{.R.Name}}</h1>
<p>{{.R.Steps}} steps of {{.R.Step}} from {{.R.Start.UTC.Format "2006-01-02 15:04 UTC"}} (T+0:00), seed {{.R.Seed}}{{if .R.NegativeCache}}, negative cache model {{.R.NegativeCache}}{{end}}. A connection blocked in URL retrievals for {{.R.HungAfter}} or more counts as hung.</p>
{{if .R.Asserts}}<h2>Asserts</h2><table><tr><th></th><th>assert</th><th>measured</th></tr>
{{range .R.Asserts}}<tr><td class="{{if .Pass}}pass{{else}}fail{{end}}">{{if .Pass}}PASS{{else}}FAIL{{end}}</td><td>{{.Assert}}</td><td>{{.Detail}}</td></tr>{{end}}</table>{{end}}
<h2>Clients by state over time</h2>
<div class="legend">{{.Legend}}</div>
{{range $i, $c := .Charts}}<section class="group"><h3>{{(index $.R.Groups $i).Name}}</h3>{{$c}}{{index $.Hung $i}}</section>{{end}}
<h2>Events and network outages</h2>
<table id="events"><tr><th>#</th><th>when</th><th>until</th><th>what</th></tr>{{range .Events}}<tr class="{{.Kind}}"><td>{{.N}}</td><td class="t">{{.When}}</td><td class="t">{{.Until}}</td><td>{{.What}}</td></tr>{{end}}</table>
<h2>Groups</h2>
<table><tr><th>group</th><th>clients</th><th>endpoint</th><th>revocation</th><th>negative cache</th><th>connect every</th></tr>
{{range .R.Groups}}<tr><td>{{.Name}}</td><td>{{.Clients}}</td><td>{{.Endpoint}}</td><td>{{.Revocation}}</td><td>{{.NegativeCache}}</td><td>{{.ConnectEvery}}</td></tr>{{end}}</table>
<h2>Summary</h2>
<table><tr><th>group</th><th>clients</th><th>ever failed</th><th>worst</th><th>at</th><th>hung connections</th><th>all trusted again</th><th>still failing</th></tr>
{{range .Summary}}<tr><td>{{.Group}}</td><td>{{.Clients}}</td><td>{{.EverFailed}}</td><td>{{.MaxFailing}}</td><td>{{.At}}</td><td>{{.HungConnections}}</td><td>{{.Again}}</td><td>{{.StillFailing}}</td></tr>{{end}}</table>
<h2>Failure episodes</h2>
<table id="episodes"><tr><th>group</th><th>clients</th><th>failed</th><th>recovered</th><th>saw</th><th>why (click for the full text)</th><th>after</th></tr>
{{range .Causes}}<tr><td>{{.Group}}</td><td>{{.Clients}}</td><td class="t">{{.Failed}}</td><td class="t">{{if .Recovered}}{{.Recovered}}{{else}}not recovered{{end}}</td><td>{{.Outcome}}</td><td class="why"><details><summary>{{.Short}}</summary><code>{{.Cause}}</code></details>{{if .LastCause}}<details><summary>last: {{.LastShort}}</summary><code>{{.LastCause}}</code></details>{{end}}</td><td>{{.After}}</td></tr>{{end}}</table>
<p style="font-size:12px;color:#666">Made by winchain simulate. Self-contained: no network is needed to open it.</p>
</body></html>
`))

// summaryRow is a GroupSummary with clock times.
type summaryRow struct {
	GroupSummary
	At, Again string
}

// WriteHTML writes a self-contained HTML report: the verdict banner, a
// chart per group with outages and events on it and a strip of hung
// connections, and the tables.
func (r *Report) WriteHTML(w io.Writer) error {
	var charts, hung []template.HTML
	for gi := range r.Groups {
		charts = append(charts, template.HTML(r.svgChart(gi))) // #nosec: built from escaped parts
		hung = append(hung, template.HTML(r.svgHung(gi)))      // #nosec: built from escaped parts
	}
	var sums []summaryRow
	for _, s := range r.Summary {
		sums = append(sums, summaryRow{GroupSummary: s, At: r.whenOffset(s.MaxFailingAt), Again: r.whenOffset(s.AllTrustedAgainAt)})
	}
	return htmlTmpl.Execute(w, struct {
		R       *Report
		V       verdict
		Legend  template.HTML
		Charts  []template.HTML
		Hung    []template.HTML
		Events  []eventRow
		Summary []summaryRow
		Causes  []causeRow
	}{r, r.verdict(), r.legend(), charts, hung, r.eventRows(), sums, r.causeRows()})
}
