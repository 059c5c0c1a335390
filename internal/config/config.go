// Package config loads a binary's typed configuration from flags and the
// environment, and prints it with secrets masked.
//
// A configuration is a struct whose fields carry tags:
//
//	GRPCAddr string `flag:"grpc-addr" env:"QIHANG_GRPC_ADDR" usage:"gRPC listen address"`
//	SigningKey string `flag:"token-signing-key" env:"QIHANG_TOKEN_SIGNING_KEY" secret:"true"`
//
// The struct's values before Load are the defaults; the environment
// overrides them and flags override both. Supported field types: string,
// bool, int, int64 and time.Duration.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Validator is implemented by configurations that check themselves.
type Validator interface {
	Validate() error
}

var durationType = reflect.TypeOf(time.Duration(0))

// Load fills cfg (a pointer to a tagged struct) from the environment
// (lookupEnv, usually os.LookupEnv) and args, then calls cfg.Validate when
// it has one.
func Load(name string, cfg any, args []string, lookupEnv func(string) (string, bool)) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: %T is not a pointer to a struct", cfg)
	}
	s := v.Elem()
	t := s.Type()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fname := f.Tag.Get("flag")
		if fname == "" {
			continue
		}
		fv := s.Field(i)
		if env := f.Tag.Get("env"); env != "" {
			if raw, ok := lookupEnv(env); ok {
				if err := set(fv, raw); err != nil {
					return fmt.Errorf("config: environment %s: %w", env, err)
				}
			}
		}
		usage := f.Tag.Get("usage")
		if env := f.Tag.Get("env"); env != "" {
			usage += " (env " + env + ")"
		}
		switch fv.Kind() {
		case reflect.String:
			fs.StringVar(fv.Addr().Interface().(*string), fname, fv.String(), usage)
		case reflect.Bool:
			fs.BoolVar(fv.Addr().Interface().(*bool), fname, fv.Bool(), usage)
		case reflect.Int:
			fs.IntVar(fv.Addr().Interface().(*int), fname, int(fv.Int()), usage)
		case reflect.Int64:
			if fv.Type() == durationType {
				fs.DurationVar(fv.Addr().Interface().(*time.Duration), fname, time.Duration(fv.Int()), usage)
			} else {
				fs.Int64Var(fv.Addr().Interface().(*int64), fname, fv.Int(), usage)
			}
		default:
			return fmt.Errorf("config: field %s has unsupported type %s", f.Name, fv.Type())
		}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("config: unexpected arguments %q", fs.Args())
	}
	if val, ok := cfg.(Validator); ok {
		if err := val.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

func set(fv reflect.Value, raw string) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int64:
		if fv.Type() == durationType {
			d, err := time.ParseDuration(raw)
			if err != nil {
				return err
			}
			fv.SetInt(int64(d))
			return nil
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		fv.SetInt(n)
	default:
		return fmt.Errorf("unsupported type %s", fv.Type())
	}
	return nil
}

// Attrs returns the configuration as log attributes, secrets masked
// (only whether they are set is shown).
func Attrs(cfg any) []any {
	v := reflect.Indirect(reflect.ValueOf(cfg))
	t := v.Type()
	var out []any
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("flag")
		if name == "" {
			continue
		}
		val := fmt.Sprint(v.Field(i).Interface())
		if f.Tag.Get("secret") == "true" {
			if val == "" {
				val = "(unset)"
			} else {
				val = "****"
			}
		}
		if strings.Contains(name, "uri") && strings.Contains(val, "@") {
			val = maskURI(val)
		}
		out = append(out, slog.String(name, val))
	}
	return out
}

// maskURI hides the password in a mongodb://user:pass@host URI.
func maskURI(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if scheme < 0 || at < scheme {
		return u
	}
	creds := u[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return u[:scheme+3] + user + ":****" + u[at:]
	}
	return u
}
