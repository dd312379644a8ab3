package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
)

func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Operator commands: networks, systems, tokens, profile attributes"}
	cmd.AddCommand(newBootstrapCmd(), newTokenCmd(), newSystemCmd(), newProfileAttributeCmd())
	return cmd
}

// withDB opens the database for one admin command. Admin commands work
// while a server runs on the same database.
func withDB(ctx context.Context, dsn string, fn func(*store.DB) error) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newBootstrapCmd() *cobra.Command {
	var dsn, network string
	var systems []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bootstrap --network NAME --system NAME [--system NAME...] --json",
		Short: "Create a network with its systems and print their tokens",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(systems) == 0 {
				return fmt.Errorf("give at least one --system NAME")
			}
			ctx := cmd.Context()
			return withDB(ctx, dsn, func(db *store.DB) error {
				net, err := db.CreateNetwork(ctx, network)
				if err != nil {
					return err
				}
				scope := opentalent.Scope{NetworkID: net.ID}
				_, netTok, err := db.CreateToken(ctx, scope, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: net.ID})
				if err != nil {
					return err
				}
				type sysOut struct {
					ID    string `json:"_id"`
					Name  string `json:"name"`
					Token string `json:"token"`
				}
				out := struct {
					NetworkID    string   `json:"networkId"`
					NetworkToken string   `json:"networkToken"`
					Systems      []sysOut `json:"systems"`
				}{NetworkID: net.ID, NetworkToken: netTok}
				for _, name := range systems {
					sys, err := db.CreateSystem(ctx, net.ID, name)
					if err != nil {
						return err
					}
					_, tok, err := db.CreateToken(ctx, scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: sys.ID})
					if err != nil {
						return err
					}
					out.Systems = append(out.Systems, sysOut{sys.ID, sys.Name, tok})
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), out)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "network %s\n  token %s\n", out.NetworkID, out.NetworkToken)
				for _, s := range out.Systems {
					fmt.Fprintf(cmd.OutOrStdout(), "system %s %q\n  token %s\n", s.ID, s.Name, s.Token)
				}
				return nil
			})
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().StringVar(&network, "network", "", "network name")
	cmd.Flags().StringArrayVar(&systems, "system", nil, "system name (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("network")
	return cmd
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Mint and revoke bearer tokens"}
	var dsn, kind, network, system, email string
	var expires time.Duration
	var asJSON bool
	create := &cobra.Command{
		Use:   "create --kind network|system|user (--network ID|--system ID|--email EMAIL) [--expires DURATION] --json",
		Short: "Mint a token; its secret is printed once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withDB(ctx, dsn, func(db *store.DB) error {
				nt := opentalent.NewToken{Kind: kind, ExpiresAt: db.ExpiresIn(expires)}
				var scope opentalent.Scope
				var err error
				switch kind {
				case opentalent.TokenNetwork:
					scope, err = db.LookupNetworkScope(ctx, network)
					nt.NetworkID = network
				case opentalent.TokenSystem:
					scope, err = db.LookupSystemScope(ctx, system)
					nt.SystemID = system
				case opentalent.TokenUser:
					scope, err = db.LookupUserScope(ctx, email)
					nt.UserEmail = email
				default:
					return fmt.Errorf("--kind must be network, system or user")
				}
				if err != nil {
					return err
				}
				t, secret, err := db.CreateToken(ctx, scope, nt)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), map[string]string{"id": t.ID, "kind": t.Kind, "token": secret})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s token: %s\n", t.ID, t.Kind, secret)
				return nil
			})
		},
	}
	dbFlag(create, &dsn)
	create.Flags().StringVar(&kind, "kind", "", "network, system or user")
	create.Flags().StringVar(&network, "network", "", "network id (network tokens)")
	create.Flags().StringVar(&system, "system", "", "system id (system tokens)")
	create.Flags().StringVar(&email, "email", "", "user email (user tokens)")
	create.Flags().DurationVar(&expires, "expires", 0, "lifetime, e.g. 720h (default: no expiry)")
	create.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	create.MarkFlagRequired("kind")

	var revokeDSN string
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token by id",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return withDB(ctx, revokeDSN, func(db *store.DB) error {
				networkID, err := db.TokenNetwork(ctx, args[0])
				if err != nil {
					return err
				}
				if err := db.RevokeToken(ctx, opentalent.Scope{NetworkID: networkID}, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked %s\n", args[0])
				return nil
			})
		},
	}
	dbFlag(revoke, &revokeDSN)
	cmd.AddCommand(create, revoke)
	return cmd
}

func newSystemCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "system", Short: "Manage the systems of a network"}
	var dsn, network, name string
	var asJSON bool
	add := &cobra.Command{
		Use:   "add --network ID --name NAME",
		Short: "Add a system (with its three default roles) to a network",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withDB(ctx, dsn, func(db *store.DB) error {
				sys, err := db.CreateSystem(ctx, network, name)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), map[string]string{"_id": sys.ID, "name": sys.Name, "networkId": sys.NetworkID})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "system %s %q added to %s\n", sys.ID, sys.Name, sys.NetworkID)
				return nil
			})
		},
	}
	dbFlag(add, &dsn)
	add.Flags().StringVar(&network, "network", "", "network id")
	add.Flags().StringVar(&name, "name", "", "system name")
	add.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	add.MarkFlagRequired("network")
	add.MarkFlagRequired("name")
	cmd.AddCommand(add)
	return cmd
}

func newProfileAttributeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "profile-attribute", Short: "Manage a system's profile attributes"}
	var dsn, system string
	var pa opentalent.ProfileAttribute
	var options []string
	set := &cobra.Command{
		Use:   "set --system ID --label LABEL [--question Q] [--required] [--for ROLE...] [--viewable-by ROLE...] [--option LABEL...]",
		Short: "Create a profile attribute, or replace the one with the same label",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withDB(ctx, dsn, func(db *store.DB) error {
				scope, err := db.LookupSystemScope(ctx, system)
				if err != nil {
					return err
				}
				for _, o := range options {
					pa.Options = append(pa.Options, opentalent.ProfileAttributeOption{Label: o})
				}
				return db.SetProfileAttribute(ctx, scope, system, pa)
			})
		},
	}
	dbFlag(set, &dsn)
	set.Flags().StringVar(&system, "system", "", "system id")
	set.Flags().StringVar(&pa.Label, "label", "", "label")
	set.Flags().StringVar(&pa.Question, "question", "", "question asked")
	set.Flags().BoolVar(&pa.Required, "required", false, "an answer is required")
	set.Flags().StringVar(&pa.CreatedByUserName, "created-by", "", "name shown as its author")
	set.Flags().StringArrayVar(&pa.For, "for", nil, "role it is asked of (repeatable)")
	set.Flags().StringArrayVar(&pa.ViewableBy, "viewable-by", nil, "role that may see answers (repeatable)")
	set.Flags().StringArrayVar(&options, "option", nil, "an answer to choose from (repeatable)")
	set.MarkFlagRequired("system")
	set.MarkFlagRequired("label")

	var listDSN, listSystem string
	list := &cobra.Command{
		Use:   "list --system ID",
		Short: "Print a system's profile attributes as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withDB(ctx, listDSN, func(db *store.DB) error {
				scope, err := db.LookupSystemScope(ctx, listSystem)
				if err != nil {
					return err
				}
				attrs, err := db.FindProfileAttributes(ctx, scope, listSystem)
				if err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), attrs)
			})
		},
	}
	dbFlag(list, &listDSN)
	list.Flags().StringVar(&listSystem, "system", "", "system id")
	list.MarkFlagRequired("system")

	var delDSN, delSystem, delLabel string
	del := &cobra.Command{
		Use:   "delete --system ID --label LABEL",
		Short: "Delete a profile attribute",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return withDB(ctx, delDSN, func(db *store.DB) error {
				scope, err := db.LookupSystemScope(ctx, delSystem)
				if err != nil {
					return err
				}
				return db.DeleteProfileAttribute(ctx, scope, delSystem, delLabel)
			})
		},
	}
	dbFlag(del, &delDSN)
	del.Flags().StringVar(&delSystem, "system", "", "system id")
	del.Flags().StringVar(&delLabel, "label", "", "label")
	del.MarkFlagRequired("system")
	del.MarkFlagRequired("label")
	cmd.AddCommand(set, list, del)
	return cmd
}
