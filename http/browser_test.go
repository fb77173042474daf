package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store/storetest"
)

// The browser tests drive the account pages and the console in Chromium, headless,
// against a real server. Where no Chromium is installed they skip, except in CI
// (CI=true), where they must run. Each saves a screenshot of its last page into
// screenshots/ (git-ignored).

// uiWait bounds each wait for the page to reach a state; a page that never gets
// there fails the test rather than hang it.
const uiWait = 30 * time.Second

// chromium returns the path of the browser, or skips the test when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (chromium, google-chrome): CI runs the browser tests")
	}
	t.Skip("no Chromium found (chromium, google-chrome): browser tests skipped")
	return ""
}

// forEachBrowserDB runs f with a fresh server of the example schema and a browser
// on each backend. The backends run in parallel with each other but not with
// other tests, so that at most two browsers run at a time.
func forEachBrowserDB(t *testing.T, f func(t *testing.T, e *env, b *page)) {
	t.Helper()
	exe := chromium(t)
	storetest.ForEach(t, func(t *testing.T, backend storetest.Backend) {
		t.Parallel()
		e := newEnv(t, backend, func(c *backrest.Config) { c.Schema = "../examples/schema.json" })
		f(t, e, openBrowser(t, e, exe, ""))
	})
}

// page is a browser tab on the server of a test, which records the errors of its
// console.
type page struct {
	t    *testing.T
	e    *env
	ctx  context.Context
	who  string
	mu   sync.Mutex
	errs []string
}

// openBrowser starts a headless Chromium for the test; it is stopped (its process
// killed) when the test ends, after a screenshot of its last page. A browser of
// its own (with cookies of its own) is another person at another computer: who
// names them in the screenshot's name.
func openBrowser(t *testing.T, e *env, exe, who string) *page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("headless", "new"),
		chromedp.Flag("remote-debugging-address", "127.0.0.1"),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	p := &page{t: t, e: e, ctx: ctx, who: who}
	p.listen(ctx)
	// chromedp starts Chromium with a parent-death signal (SIGKILL), which Linux
	// sends when the thread that started it ends, and Go ends threads: those of
	// the password hashers, locked to their goroutines, end with each test's
	// server. Chromium is started from a thread of its own, kept until the end.
	started, release := make(chan error), make(chan struct{})
	go func() {
		goruntime.LockOSThread()
		started <- chromedp.Run(ctx)
		<-release
	}()
	if err := <-started; err != nil {
		cancel()
		cancelAlloc()
		close(release)
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() {
		p.screenshot()
		cancel()
		cancelAlloc()
		close(release)
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, msg := range p.errs {
			t.Errorf("browser console: %s", msg)
		}
	})
	return p
}

// listen records uncaught exceptions, console.error calls and the browser's own
// error entries (such as Content-Security-Policy refusals). Failed responses
// are not errors of the page: the tests provoke them on purpose.
func (p *page) listen(ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Error()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				msg = strings.Join(args, " ")
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError && ev.Entry.Source != log.SourceNetwork {
				msg = ev.Entry.Text
			}
		}
		if msg != "" {
			p.mu.Lock()
			p.errs = append(p.errs, msg)
			p.mu.Unlock()
		}
	})
}

// run runs the actions, failing the test on an error.
func (p *page) run(what string, actions ...chromedp.Action) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, uiWait)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// open loads the path of the server and waits for the text.
func (p *page) open(path, text string) {
	p.t.Helper()
	p.run("open "+path, chromedp.Navigate(p.e.url(path)))
	p.see(text)
}

// see waits until the page shows text.
func (p *page) see(text string) {
	p.t.Helper()
	p.run(fmt.Sprintf("wait for %q", text), chromedp.Poll(fmt.Sprintf(`document.body.innerText.includes(%s)`, jsString(text)), nil,
		chromedp.WithPollingTimeout(uiWait)))
}

// rows waits until the table of the page has n rows: the answer of a new search
// has replaced the last one.
func (p *page) rows(n int) {
	p.t.Helper()
	p.run(fmt.Sprintf("wait for %d rows", n), chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("main tbody tr").length === %d`, n),
		nil, chromedp.WithPollingTimeout(uiWait)))
}

// seeImage waits until the image of the alternative text alt has loaded, width pixels wide.
func (p *page) seeImage(alt string, width int) {
	p.t.Helper()
	p.run("image "+alt, chromedp.Poll(fmt.Sprintf(`[...document.images].some((i) => i.alt === %s && i.complete && i.naturalWidth === %d)`,
		jsString(alt), width), nil, chromedp.WithPollingTimeout(uiWait)))
}

// eval evaluates a JavaScript expression (awaiting a promise) into out.
func (p *page) eval(js string, out any) {
	p.t.Helper()
	p.run("evaluate "+js, chromedp.Evaluate(js, out, func(e *runtime.EvaluateParams) *runtime.EvaluateParams {
		return e.WithAwaitPromise(true)
	}))
}

// control returns a CSS selector of the visible control labelled label.
func (p *page) control(label string) string {
	p.t.Helper()
	return p.onControl(label, "find the control", "")
}

// onControl waits for the visible control labelled label and runs the
// JavaScript statements js on it (as c) in the same step as finding it, so that
// a page drawn again in between cannot leave the step with a control that is
// gone; it returns a CSS selector of the control.
func (p *page) onControl(label, step, js string) string {
	p.t.Helper()
	var id string
	p.run(step+" "+label, chromedp.Poll(fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll("label")].find((l) => l.offsetParent !== null &&
			l.textContent.replace(" (required)", "").trim() === %s);
		const c = l && l.htmlFor && document.getElementById(l.htmlFor);
		if (!c) return false;
		%s
		return c.id;
	})()`, jsString(label), js), &id, chromedp.WithPollingTimeout(uiWait)))
	return "#" + id
}

// fill types value into the control labelled label, after clearing it: the
// control is cleared and given the focus as it is found, and the keys go to it.
func (p *page) fill(label, value string) {
	p.t.Helper()
	p.onControl(label, "fill", `c.value = ""; c.focus();`)
	p.run("type into "+label, chromedp.KeyEvent(value))
}

// choose selects value in the select labelled label.
func (p *page) choose(label, value string) {
	p.t.Helper()
	p.onControl(label, "choose "+value+" in", fmt.Sprintf(`c.value = %s;`, jsString(value)))
}

// click clicks the visible button or link whose text is text.
func (p *page) click(text string) {
	p.t.Helper()
	sel := fmt.Sprintf(`//*[(self::button or self::a) and normalize-space()=%s]`, xpathString(text))
	p.run("click "+text, chromedp.Click(sel, chromedp.BySearch, chromedp.NodeVisible))
}

// keys types the keys into whatever has the focus.
func (p *page) keys(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		p.run("type", chromedp.KeyEvent(k))
	}
}

// upload sets the file input labelled label to the file.
func (p *page) upload(label, file string) {
	p.t.Helper()
	p.run("upload "+file, chromedp.SetUploadFiles(p.control(label), []string{file}, chromedp.ByQuery))
}

// fieldError returns the error shown beside the control labelled label, once there is one.
func (p *page) fieldError(label string) string {
	p.t.Helper()
	sel := p.control(label)
	var msg string
	p.run("error of "+label, chromedp.Poll(fmt.Sprintf(`(() => {
		const c = document.querySelector(%s);
		const err = document.getElementById(c.getAttribute("aria-describedby").split(" ").pop());
		return c.getAttribute("aria-invalid") === "true" && err.textContent ? err.textContent : false;
	})()`, jsString(sel)), &msg, chromedp.WithPollingTimeout(uiWait)))
	return msg
}

// fetchJSON calls the API from the page, with its cookie, and returns the status.
func (p *page) fetchJSON(method, path string, body any) int {
	p.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		p.t.Fatal(err)
	}
	var status int
	p.eval(fmt.Sprintf(`fetch(%s, {method: %s, headers: {"Content-Type": "application/json"}, body: %s}).then((r) => r.status)`,
		jsString(path), jsString(method), jsString(string(raw))), &status)
	return status
}

var axeSource = sync.OnceValues(func() ([]byte, error) { return os.ReadFile("testdata/axe/axe.min.js") })

// axe runs axe-core on the page and fails the test on a serious or critical
// violation of accessibility.
func (p *page) axe(name string) {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatal(err)
	}
	var found bool
	p.eval(`typeof window.axe === "object"`, &found)
	if !found {
		var ignored any
		p.run("load axe-core", chromedp.Evaluate(string(src)+";0", &ignored))
	}
	var result struct {
		Passes     int
		Violations []struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []any }
		}
	}
	p.eval(`axe.run(document).then((r) => ({passes: r.passes.length,
		violations: r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")}))`, &result)
	if result.Passes == 0 {
		p.t.Fatalf("%s: axe-core checked nothing", name)
	}
	for _, v := range result.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		p.t.Errorf("%s: accessibility (%s) %s: %s at %s", name, v.Impact, v.ID, v.Help, strings.Join(where, ", "))
	}
}

// another opens a second browser for the test, another person.
func (p *page) another(who string) *page {
	p.t.Helper()
	return openBrowser(p.t, p.e, chromium(p.t), who)
}

// screenshot saves the page as screenshots/TEST.png.
func (p *page) screenshot() {
	var buf []byte
	ctx, cancel := context.WithTimeout(p.ctx, uiWait)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		p.t.Logf("screenshot: %v", err)
		return
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(p.t.Name()+" "+p.who, "-")
	name = strings.Trim(name, "-") + ".png"
	if err := os.MkdirAll("screenshots", 0o755); err == nil {
		os.WriteFile(filepath.Join("screenshots", name), buf, 0o644)
	}
}

// awaitMail waits, within a bound, until the outbox holds more than seen mails to
// the address (mails may leave through a queue) and returns the link containing
// part of the newest one.
func (e *env) awaitMail(to string, seen int, part string) string {
	e.t.Helper()
	e.awaitMails(to, seen+1)
	return e.link(to, part)
}

// awaitMails waits, within a bound, until the outbox holds n mails to the
// address, and returns them.
func (e *env) awaitMails(to string, n int) []sentMail {
	e.t.Helper()
	const polls = 600
	for range polls {
		if ms := e.mails(to); len(ms) >= n {
			return ms
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("fewer than %d mails to %s after %d polls of the outbox", n, to, polls)
	return nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// shot saves the page as screenshots/TEST-name.png, beside the last page's.
func (p *page) shot(name string) {
	saved := p.who
	p.who = strings.TrimSpace(p.who + " " + name)
	p.screenshot()
	p.who = saved
}
