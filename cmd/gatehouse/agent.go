package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/imds"
	"github.com/gatehouse-iam/gatehouse/workload"
	"github.com/gatehouse-iam/gatehouse/workload/client"
)

// WorkloadTokenEnv holds the workload token of `gatehouse agent`.
const WorkloadTokenEnv = "GATEHOUSE_WORKLOAD_TOKEN"

// agentConfig is the configuration of `gatehouse agent`.
type agentConfig struct {
	Endpoint      string
	Listen        string
	RefreshBefore time.Duration
	LogFormat     string
	LogLevel      string
	// Token is the workload token, from the environment only (never a
	// flag: flags show in process listings).
	Token string
}

// Validate checks the configuration.
func (c *agentConfig) Validate() error {
	if c.Endpoint == "" {
		return errors.New("--endpoint is required: the Gatehouse URL, e.g. https://gatehouse.example:8080")
	}
	if c.Token == "" {
		return fmt.Errorf("%s must hold the workload token (shown by `gatehouse workload create`)", WorkloadTokenEnv)
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// The metadata service hands out credentials to whoever asks: it
		// must be reachable by the workload only.
		return fmt.Errorf("--listen must be a loopback address, not %q", host)
	}
	if c.RefreshBefore < time.Minute || c.RefreshBefore > 30*time.Minute {
		return fmt.Errorf("--refresh-before must be between 1m and 30m, not %v", c.RefreshBefore)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	return nil
}

func newAgentCmd() *cobra.Command {
	c := &agentConfig{}
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Serve a workload's role credentials as the EC2 instance metadata service (IMDSv2), on loopback",
		Long: `Runs beside a workload and serves the EC2 instance metadata service (IMDSv2) on
a loopback address, so that AWS SDKs and the aws CLI obtain the role of the
workload's instance profile with no keys in their environment:

  GATEHOUSE_WORKLOAD_TOKEN=... gatehouse agent --endpoint https://gatehouse:8080 --listen 127.0.0.1:1338
  AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1338 aws s3 ls

The agent fetches the credentials from Gatehouse with the workload token and
refreshes them before they expire. It also serves the container credentials
endpoint at /v1/workload-credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI, with
AWS_CONTAINER_AUTHORIZATION_TOKEN set to the workload token).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.Token = os.Getenv(WorkloadTokenEnv)
			if err := c.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runAgent(ctx, c, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Endpoint, "endpoint", "", "the Gatehouse URL")
	f.StringVar(&c.Listen, "listen", "127.0.0.1:1338", "loopback address to serve the metadata service on")
	f.DurationVar(&c.RefreshBefore, "refresh-before", imds.DefaultRefreshBefore, "replace credentials this long before they expire")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	return cmd
}

// runAgent serves until ctx ends.
func runAgent(ctx context.Context, c *agentConfig, stderr io.Writer) error {
	log, err := newLogger(stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	agent := imds.New(imds.Config{
		Source: func(ctx context.Context) (*workload.Credentials, error) {
			return client.FetchCredentials(ctx, hc, c.Endpoint, c.Token)
		},
		WorkloadToken: c.Token, RefreshBefore: c.RefreshBefore, Now: time.Now, Log: log,
	})
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Listen, err)
	}
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	go agent.Run(bg)
	hs := &http.Server{Handler: agent.Handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("gatehouse agent serving the instance metadata service", "addr", ln.Addr().String(), "endpoint", c.Endpoint)
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
