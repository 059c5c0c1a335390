package store_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestConcurrentConditionalUpdates runs 100 writers that each read a counter
// document and write it back conditional on its version, retrying on a
// mismatch. Every increment must land: the embedded store's single write
// connection is what makes this hold.
func TestConcurrentConditionalUpdates(t *testing.T) {
	ctx := context.Background()
	c := storetest.NewDatabase(t).Collection("counters")
	if _, err := c.Write.InsertOne(ctx, bson.M{"_id": "c", "version": int64(1), "n": int64(0)}); err != nil {
		t.Fatal(err)
	}
	const writers = 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var doc struct {
					Version int64 `bson:"version"`
					N       int64 `bson:"n"`
				}
				if err := c.Read.FindOne(ctx, bson.M{"_id": "c"}).Decode(&doc); err != nil {
					errs <- err
					return
				}
				res, err := c.Write.UpdateOne(ctx,
					bson.M{"_id": "c", "version": doc.Version},
					bson.M{"$set": bson.M{"version": doc.Version + 1, "n": doc.N + 1}})
				if err != nil {
					errs <- err
					return
				}
				if res.MatchedCount == 1 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var got struct {
		Version int64 `bson:"version"`
		N       int64 `bson:"n"`
	}
	if err := c.Read.FindOne(ctx, bson.M{"_id": "c"}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.N != writers || got.Version != writers+1 {
		t.Errorf("after %d conditional increments: n=%d version=%d, want n=%d version=%d", writers, got.N, got.Version, writers, writers+1)
	}
}

func TestIsDuplicateKey(t *testing.T) {
	ctx := context.Background()
	c := storetest.NewDatabase(t).Collection("firms")
	if _, err := c.Write.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "uscc", Value: 1}}, Options: options.Index().SetUnique(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write.InsertOne(ctx, bson.M{"_id": "a", "uscc": "X"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write.InsertOne(ctx, bson.M{"_id": "b", "uscc": "Y"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Write.InsertOne(ctx, bson.M{"_id": "c", "uscc": "X"})
	if !store.IsDuplicateKey(err) {
		t.Errorf("insert of a taken key: IsDuplicateKey(%v) = false", err)
	}
	_, err = c.Write.UpdateOne(ctx, bson.M{"_id": "b"}, bson.M{"$set": bson.M{"uscc": "X"}})
	if !store.IsDuplicateKey(err) {
		t.Errorf("update to a taken key: IsDuplicateKey(%v) = false", err)
	}
	var doc bson.M
	if err := c.Read.FindOne(ctx, bson.M{"_id": "b"}).Decode(&doc); err != nil || doc["uscc"] != "Y" {
		t.Errorf("rejected update changed the document: %v %v", doc, err)
	}
	if store.IsDuplicateKey(nil) {
		t.Error("IsDuplicateKey(nil) = true")
	}
}
