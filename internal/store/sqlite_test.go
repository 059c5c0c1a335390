package store

import (
	"context"
	"log/slog"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestEmbeddedIDLookupsUseAnIndex checks the index EnsureIndexes adds to the
// embedded store: SQLite's plan for FerretDB's _id lookup must use it, on
// first start and again after a restart on the same files.
func TestEmbeddedIDLookupsUseAnIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for round := range 2 {
		s, err := Open(ctx, Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		c := s.Database("plans").Collection("firms")
		if err := c.EnsureIndexes(ctx, []mongo.IndexModel{
			{Keys: bson.D{{Key: "uscc", Value: 1}}, Options: options.Index().SetUnique(true).SetName("uscc_unique")},
			{Keys: bson.D{{Key: "name", Value: 1}}, Options: options.Index().SetName("name")},
		}); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if round == 0 {
			if _, err := c.Write.InsertOne(ctx, bson.M{"_id": "f1", "uscc": "X", "name": "杭州"}); err != nil {
				t.Fatal(err)
			}
		}
		ok, plan, err := s.sqlite.usesIDIndex(ctx, "plans", "firms")
		if err != nil || !ok {
			t.Errorf("round %d: _id lookup plan %q (%v), want an index search", round, plan, err)
		}
		var doc bson.M
		if err := c.Read.FindOne(ctx, bson.M{"_id": "f1"}).Decode(&doc); err != nil || doc["uscc"] != "X" {
			t.Errorf("round %d: find by _id = %v, %v", round, doc, err)
		}
		res, err := c.Write.ReplaceOne(ctx, bson.M{"_id": "f1"}, bson.M{"uscc": "X", "name": "杭州2"})
		if err != nil || res.MatchedCount != 1 {
			t.Errorf("round %d: replace by _id = %+v, %v", round, res, err)
		}
		s.Close(ctx)
	}
}
