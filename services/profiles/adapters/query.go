package adapters

import (
	"context"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// byName is the order of every profiles list: name, then id for ties.
var byName = bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}

// notDeleted matches live documents.
func notDeleted() bson.E {
	return bson.E{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}
}

// page counts the documents matching q and returns those from offset (at
// most limit, 0 = all) in sort order, converted by conv. what names the
// collection in errors.
func page[D, T any](ctx context.Context, c *mongo.Collection, what string, q, sort bson.D, offset, limit int, conv func(D) T) ([]T, int, error) {
	total, err := c.CountDocuments(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: count: %w", what, err)
	}
	if offset >= int(total) {
		return nil, int(total), nil
	}
	opts := options.Find().SetSort(sort).SetSkip(int64(offset))
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	out, err := findAll(ctx, c, what, q, opts, conv)
	return out, int(total), err
}

// findAll returns every document matching q, converted by conv.
func findAll[D, T any](ctx context.Context, c *mongo.Collection, what string, q bson.D, opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	cur, err := c.Find(ctx, q, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: find: %w", what, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("%s: find: %w", what, err)
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out, nil
}

// idsIn matches the documents with the given ids.
func idsIn(ids []string) bson.D {
	return bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
}

// nameContains matches text in any of the fields, case-insensitively, with
// the text taken literally.
func nameContains(text string, fields ...string) bson.E {
	re := bson.Regex{Pattern: regexp.QuoteMeta(text), Options: "i"}
	or := make(bson.A, len(fields))
	for i, f := range fields {
		or[i] = bson.D{{Key: f, Value: re}}
	}
	return bson.E{Key: "$or", Value: or}
}
