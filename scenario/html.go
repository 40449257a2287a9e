package scenario

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// chartPalette gives each outcome a fixed colour: trusted green, the rest
// from a palette in name order.
var chartPalette = []string{"#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// svgChart draws, for one group, the number of clients in each state over
// time as stacked areas, plus hung connections as a line. The SVG is
// written by hand so the report is self-contained and deterministic (no
// fonts or scripts to load).
func (r *Report) svgChart(gi int) string {
	const w, h, left, bottom, top = 900.0, 260.0, 60.0, 30.0, 10.0
	names := r.outcomeNames()
	n := len(r.Timeline)
	if n < 2 {
		return ""
	}
	total := float64(r.Groups[gi].Clients)
	x := func(i int) float64 { return left + (w-left-10)*float64(i)/float64(n-1) }
	y := func(v float64) float64 { return top + (h-top-bottom)*(1-v/total) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`, w, h, w, h)
	base := make([]float64, n)
	colors := map[string]string{}
	ci := 0
	for _, name := range names {
		if name == "trusted" {
			colors[name] = "#2ca02c"
		} else {
			colors[name] = chartPalette[ci%len(chartPalette)]
			ci++
		}
		var pts []string
		top := make([]float64, n)
		for i := 0; i < n; i++ {
			top[i] = base[i] + float64(r.Timeline[i].Groups[gi].State[name])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(top[i])))
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(base[i])))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.8"><title>%s</title></polygon>`, strings.Join(pts, " "), colors[name], template.HTMLEscapeString(name))
		base = top
	}
	// Hung connections per step, on the same scale.
	var hung []string
	for i := 0; i < n; i++ {
		hung = append(hung, fmt.Sprintf("%.1f,%.1f", x(i), y(float64(r.Timeline[i].Groups[gi].Hung))))
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#000" stroke-width="1.2" stroke-dasharray="4 2"><title>hung connections</title></polyline>`, strings.Join(hung, " "))
	// Axes and labels.
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`, left, h-bottom, w-10, h-bottom)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`, left, top, left, h-bottom)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end">%d</text>`, left-4, top+8, int(total))
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end">0</text>`, left-4, h-bottom)
	for k := 0; k <= 6; k++ {
		i := (n - 1) * k / 6
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(i), h-bottom+16, r.Timeline[i].Offset)
	}
	for _, e := range r.Events {
		for i := range r.Timeline {
			if !r.Timeline[i].At.Before(e.At) {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#1f77b4" stroke-dasharray="2 3"><title>%s %s</title></line>`,
					x(i), top, x(i), h-bottom, e.Offset, template.HTMLEscapeString(e.What))
				break
			}
		}
	}
	b.WriteString(`</svg>`)
	var legend strings.Builder
	for _, name := range names {
		fmt.Fprintf(&legend, `<span class="key"><span class="sw" style="background:%s"></span>%s</span> `, colors[name], template.HTMLEscapeString(name))
	}
	legend.WriteString(`<span class="key"><span class="sw dash"></span>hung connections</span>`)
	return b.String() + `<div class="legend">` + legend.String() + `</div>`
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>winchain simulation: {{.R.Name}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f4f4f4}.pass{color:#2ca02c;font-weight:bold}.fail{color:#d62728;font-weight:bold}
.legend{font-size:12px;margin:4px 0 18px}.key{margin-right:14px}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
.dash{border-top:2px dashed #000;height:0;width:16px}code{font-size:12px}
</style></head><body>
<h1>{{.R.Name}}</h1>
<p>{{.R.Steps}} steps of {{.R.Step}} from {{.R.Start.Format "2006-01-02 15:04 MST"}}, seed {{.R.Seed}}. A connection blocked in URL retrievals for {{.R.HungAfter}} or more counts as hung.</p>
<h2>Groups</h2>
<table><tr><th>group</th><th>clients</th><th>endpoint</th><th>revocation</th><th>negative cache</th><th>connect every</th></tr>
{{range .R.Groups}}<tr><td>{{.Name}}</td><td>{{.Clients}}</td><td>{{.Endpoint}}</td><td>{{.Revocation}}</td><td>{{.NegativeCache}}</td><td>{{.ConnectEvery}}</td></tr>{{end}}</table>
<h2>Events</h2>
<table><tr><th>when</th><th>what</th></tr>{{range .R.Events}}<tr><td>{{.Offset}}</td><td>{{.What}}</td></tr>{{end}}</table>
<h2>Clients by state over time</h2>
{{range $i, $c := .Charts}}<h3>{{(index $.R.Groups $i).Name}}</h3>{{$c}}{{end}}
<h2>Summary</h2>
<table><tr><th>group</th><th>clients</th><th>ever failed</th><th>worst</th><th>at</th><th>hung connections</th><th>all trusted again</th><th>still failing</th></tr>
{{range .R.Summary}}<tr><td>{{.Group}}</td><td>{{.Clients}}</td><td>{{.EverFailed}}</td><td>{{.MaxFailing}}</td><td>{{.MaxFailingAt}}</td><td>{{.HungConnections}}</td><td>{{.AllTrustedAgainAt}}</td><td>{{.StillFailing}}</td></tr>{{end}}</table>
<h2>Failure episodes</h2>
<table><tr><th>group</th><th>clients</th><th>failed</th><th>recovered</th><th>saw</th><th>why</th><th>after</th></tr>
{{range .R.Recoveries}}<tr><td>{{.Group}}</td><td>{{.Clients}}</td><td>{{.FailedAt}}</td><td>{{if .RecoveredAt}}{{.RecoveredAt}}{{else}}not recovered{{end}}</td><td>{{.Outcome}}</td><td><code>{{.Cause}}</code>{{if .LastCause}}<br>last: <code>{{.LastCause}}</code>{{end}}</td><td>{{.After}}</td></tr>{{end}}</table>
{{if .R.Asserts}}<h2>Asserts</h2><table><tr><th></th><th>assert</th><th>measured</th></tr>
{{range .R.Asserts}}<tr><td class="{{if .Pass}}pass{{else}}fail{{end}}">{{if .Pass}}PASS{{else}}FAIL{{end}}</td><td>{{.Assert}}</td><td>{{.Detail}}</td></tr>{{end}}</table>{{end}}
<p style="font-size:12px;color:#666">Made by winchain simulate. Self-contained: no network is needed to open it.</p>
</body></html>
`))

// WriteHTML writes a self-contained HTML report with a timeline chart per
// group.
func (r *Report) WriteHTML(w io.Writer) error {
	var charts []template.HTML
	for gi := range r.Groups {
		charts = append(charts, template.HTML(r.svgChart(gi))) // #nosec: built from escaped parts
	}
	return htmlTmpl.Execute(w, struct {
		R      *Report
		Charts []template.HTML
	}{r, charts})
}
