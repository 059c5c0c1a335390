//go:build !linux

package meiliindex

import (
	"context"
	"net"
)

// dialQuickAck dials like d (TCP_QUICKACK is Linux's; see quickack_linux.go).
func dialQuickAck(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return d.DialContext
}
