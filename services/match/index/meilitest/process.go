package meilitest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Process is a Meilisearch server started outside a test (by a command such
// as the match evaluation), the same way tests get theirs: the pinned binary
// (installed by scripts/meilisearch.sh when missing), 127.0.0.1, a free
// port, a random master key, a temporary database and analytics off. It
// dies with the process that started it.
type Process struct{ s *server }

// StartProcess starts a Meilisearch server of its own (not the shared test
// server) and waits until it is healthy. It logs warnings and errors only.
func StartProcess() (*Process, error) { return StartProcessLogging("WARN") }

// StartProcessLogging is StartProcess with Meilisearch's log level: ERROR,
// WARN, INFO (every HTTP request with its busy and idle time), DEBUG or
// TRACE. The log is LogPath.
func StartProcessLogging(level string) (*Process, error) {
	switch level {
	case "ERROR", "WARN", "INFO", "DEBUG", "TRACE":
	default:
		return nil, fmt.Errorf("meilitest: log level %q: want ERROR, WARN, INFO, DEBUG or TRACE", level)
	}
	s, err := start(level)
	if err != nil {
		return nil, err
	}
	return &Process{s: s}, nil
}

// URL is the server's base URL.
func (p *Process) URL() string { return p.s.url }

// Key is the server's master key.
func (p *Process) Key() string { return p.s.key }

// Stop kills the server and removes its files.
func (p *Process) Stop() error {
	if p == nil || p.s == nil {
		return errors.New("meilitest: no process")
	}
	_ = p.s.cmd.Process.Kill()
	<-p.s.exited
	return os.RemoveAll(p.s.dir)
}

// Pid is the server's process id (to read its CPU time).
func (p *Process) Pid() int { return p.s.cmd.Process.Pid }

// LogPath is the server's log file (in Dir, so Stop removes it).
func (p *Process) LogPath() string { return filepath.Join(p.s.dir, "meilisearch.log") }

// Dir is the server's temporary directory, its database included.
func (p *Process) Dir() string { return p.s.dir }

// Version reports the binary's version, e.g. "1.21.0".
func Version() (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", bin, err)
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "meilisearch")), nil
}
