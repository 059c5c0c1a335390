// Package profilesclient reads firms and associations from the profiles
// service over gRPC for the other services, with the caller's token, so the
// profiles service's own access rules decide what the caller may see. No
// other service reads the profiles collections.
package profilesclient

import (
	"context"

	"google.golang.org/grpc"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Client is a profiles reader.
type Client struct {
	profiles profilesv1.ProfilesServiceClient
}

// New returns a client over conn.
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{profiles: profilesv1.NewProfilesServiceClient(conn)}
}

// GetFirm returns a firm the caller may read. Errors are the profiles
// service's statuses (NOT_FOUND for a firm that does not exist or that the
// caller may not read).
func (c *Client) GetFirm(ctx context.Context, id string) (*profilesv1.Firm, error) {
	resp, err := c.profiles.GetFirm(auth.ForwardToken(ctx), &profilesv1.GetFirmRequest{Id: id})
	if err != nil {
		return nil, err
	}
	return resp.GetFirm(), nil
}

// GetAssociation returns an association (any signed-in caller may read
// them).
func (c *Client) GetAssociation(ctx context.Context, id string) (*profilesv1.Association, error) {
	resp, err := c.profiles.GetAssociation(auth.ForwardToken(ctx), &profilesv1.GetAssociationRequest{Id: id})
	if err != nil {
		return nil, err
	}
	return resp.GetAssociation(), nil
}

// RevealFirmContacts returns a firm's contacts unmasked, if the caller may
// reveal them (the profiles service decides and audits the reveal).
func (c *Client) RevealFirmContacts(ctx context.Context, id, reason string) ([]*commonv1.Contact, error) {
	resp, err := c.profiles.RevealFirmContacts(auth.ForwardToken(ctx), &profilesv1.RevealFirmContactsRequest{Id: id, Reason: reason})
	if err != nil {
		return nil, err
	}
	return resp.GetContacts(), nil
}
