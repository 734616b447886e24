// Package servetest holds what the tests of serve and of the binary share.
package servetest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Flood opens n connections to the service at base at once, each asking
// for code, one in ten in a batch of batchSize codes, and counts how each ended:
// by status ("200", "503"; a non-200 counts only with a JSON error body)
// or "cut off". It is for tests of the service and of its binary.
func Flood(base string, n, batchSize int, code string) map[string]int {
	tr := &http.Transport{MaxConnsPerHost: n, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	batch := make([]string, batchSize)
	for i := range batch {
		batch[i] = code
	}
	body, _ := json.Marshal(batch)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp *http.Response
			var err error
			if i%10 == 9 {
				resp, err = client.Post(base+"/v1/lookup", "application/json", strings.NewReader(string(body)))
			} else {
				resp, err = client.Get(base + "/v1/lookup?code=" + code)
			}
			how := "cut off"
			if err == nil {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				var e struct{ Error string }
				switch {
				case err != nil:
				case resp.StatusCode == 200:
					how = "200"
				case json.Unmarshal(b, &e) == nil && strings.HasPrefix(e.Error, "smartcheck: "):
					how = strconv.Itoa(resp.StatusCode)
				default:
					how = strconv.Itoa(resp.StatusCode) + " without a JSON error"
				}
			}
			mu.Lock()
			counts[how]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return counts
}
