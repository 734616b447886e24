package main

import (
	"runtime/debug"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"released", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v1.2.0"}}, "smartcheck v1.2.0 go1.26.1"},
		{"from a checkout", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "v0.0.0-20261124100000-0123456789ab+dirty"},
			Settings: settings("vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-11-24T10:00:00Z", "vcs.modified", "true")},
			"smartcheck v0.0.0-20261124100000-0123456789ab+dirty (0123456789ab, 2026-11-24T10:00:00Z, modified) go1.26.1"},
		{"no version, a revision", debug.BuildInfo{GoVersion: "go1.26.1", Settings: settings("vcs.revision", "abc")}, "smartcheck (devel) (abc) go1.26.1"},
		{"nothing recorded", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"}}, "smartcheck (devel) go1.26.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion(&tt.bi); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFlagErrorWords(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"undefined long", []string{"--nope"}, "unknown flag --nope"},
		{"undefined short", []string{"-q"}, "unknown flag -q"},
		{"no value", []string{"--name"}, "--name needs a value"},
		{"bad int", []string{"--num", "x"}, `--num: invalid value "x": want a whole number`},
		{"int out of range", []string{"--num", "99999999999999999999"}, `--num: invalid value "99999999999999999999": value out of range`},
		{"bad bool", []string{"--json=yes please"}, `--json: invalid value "yes please": want true or false, or the flag alone`},
		{"bad duration", []string{"--every", "5"}, `--every: invalid value "5": want a duration such as 30s, 15m or 2h`},
		{"bad syntax", []string{"---x"}, "bad flag syntax: ---x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := (&env{}).newFlags("test", "")
			fs.SetOutput(discard{})
			fs.Usage = func() {}
			fs.String("name", "", "")
			fs.Int("num", 0, "")
			fs.Bool("json", false, "")
			fs.Duration("every", 0, "")
			err := fs.Parse(tt.args)
			if err == nil {
				t.Fatal("parsed")
			}
			if got := flagError(fs, err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
