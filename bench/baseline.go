package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// baselineBody returns a JSON object of the shape the read scenario checks (id 1,
// size 7), padded to size bytes when it is larger than that.
func baselineBody(size int) []byte {
	b, _ := json.Marshal(map[string]any{"id": 1, "size": 7, "pad": ""})
	if pad := size - len(b); pad > 0 {
		b, _ = json.Marshal(map[string]any{"id": 1, "size": 7, "pad": strings.Repeat("x", pad)})
	}
	return b
}

// startBaseline serves body as JSON to every request, with a bare net/http handler
// on a loopback listener. It returns the server's URL and the function that stops
// it.
func startBaseline(body []byte) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// baselineOp requests the baseline server and checks its answer as the read
// scenario checks an item.
func baselineOp(a *api) func() op {
	return func() op {
		var buf bytes.Buffer
		return func(ctx context.Context) error {
			var got itemJSON
			if resp, err := a.call(ctx, request{method: "GET", path: "/", anonymous: true}, &buf, &got, 200); err != nil || !resp.decoded {
				return err
			}
			if got.ID != 1 || got.Size == nil || *got.Size != 7 {
				return fmt.Errorf("baseline: unexpected answer %s", snippet(buf.Bytes()))
			}
			return nil
		}
	}
}
