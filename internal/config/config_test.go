package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type testConfig struct {
	Addr    string        `flag:"addr" env:"T_ADDR" usage:"listen address"`
	Key     string        `flag:"key" env:"T_KEY" secret:"true"`
	URI     string        `flag:"mongo-uri" env:"T_URI"`
	Verbose bool          `flag:"verbose" env:"T_VERBOSE"`
	Size    int           `flag:"size" env:"T_SIZE"`
	Timeout time.Duration `flag:"timeout" env:"T_TIMEOUT"`
	skip    string
}

func (c *testConfig) Validate() error {
	if c.Size < 0 {
		return errors.New("size must not be negative")
	}
	return nil
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadPrecedence(t *testing.T) {
	cfg := testConfig{Addr: "127.0.0.1:1", Size: 1, Timeout: time.Second}
	err := Load("t", &cfg, []string{"-size", "3"}, env(map[string]string{
		"T_ADDR": "0.0.0.0:2", "T_SIZE": "2", "T_TIMEOUT": "5s", "T_VERBOSE": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := testConfig{Addr: "0.0.0.0:2", Size: 3, Timeout: 5 * time.Second, Verbose: true}
	if cfg != want {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"bad env duration": {nil, map[string]string{"T_TIMEOUT": "soon"}},
		"bad flag int":     {[]string{"-size", "x"}, nil},
		"validation":       {[]string{"-size", "-1"}, nil},
		"stray argument":   {[]string{"extra"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			var cfg testConfig
			if err := Load("t", &cfg, tc.args, env(tc.env)); err == nil {
				t.Error("Load succeeded")
			}
		})
	}
}

func TestAttrsMasksSecrets(t *testing.T) {
	cfg := testConfig{Key: "c2VjcmV0", URI: "mongodb://qihang:hunter2@db:27017/"}
	got := fmt.Sprint(Attrs(&cfg))
	if strings.Contains(got, "c2VjcmV0") || strings.Contains(got, "hunter2") {
		t.Errorf("secret printed: %s", got)
	}
	for _, want := range []string{"key=****", "mongodb://qihang:****@db:27017/"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s missing from %s", want, got)
		}
	}
	_ = slog.Default()
}
