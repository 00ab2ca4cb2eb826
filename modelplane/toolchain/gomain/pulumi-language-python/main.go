// modelplane's Pulumi language host for Python: the upstream one
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) is not served by the module proxy.
// Implements the parts of LanguageRuntimeServer that `pulumi preview/up/refresh/destroy`
// and Python policy packs need: Run, RunPlugin (analyzer), GetPluginInfo,
// GetRequiredPlugins/Packages (empty: plugins come from PATH, where `make toolchain` puts them),
// InstallDependencies (a no-op: the virtualenv is made by `make`). Everything else answers Unimplemented.
// Programs run through the SDK's own pulumi-language-python-exec shim, installed beside this binary.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Version is set with -ldflags "-X main.Version=...".
var Version = "0.0.0-dev"

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine string
	shim   string
}

func findShim() (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_PYTHON_EXEC"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath("pulumi-language-python-exec")
}

func python(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if info != nil {
		opts.Root = info.GetRootDirectory()
		opts.ProgramDir = info.GetProgramDirectory()
		if o := info.GetOptions(); o != nil {
			if v, ok := o.AsMap()["virtualenv"].(string); ok && v != "" {
				if !filepath.IsAbs(v) {
					v = filepath.Join(opts.Root, v)
				}
				opts.Virtualenv = v
			}
		}
	}
	return toolchain.ResolveToolchain(opts)
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte("dependencies are installed outside pulumi\n")})
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	tc, err := python(info)
	if err != nil {
		return nil, err
	}
	program := req.GetProgram()
	if info != nil {
		program = filepath.Join(info.GetProgramDirectory(), info.GetEntryPoint())
	}
	if program == "" {
		program = "."
	}
	args := []string{"-u", h.shim,
		"--monitor", req.GetMonitorAddress(), "--engine", h.engine,
		"--project", req.GetProject(), "--stack", req.GetStack(), "--pwd", req.GetPwd(),
		"--dry_run", fmt.Sprint(req.GetDryRun()), "--parallel", fmt.Sprint(req.GetParallel())}
	if req.GetOrganization() != "" {
		args = append(args, "--organization", req.GetOrganization())
	}
	if info != nil && info.GetRootDirectory() != "" {
		args = append(args, "--root_directory", info.GetRootDirectory())
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	cfg, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(cfg), "PULUMI_CONFIG_SECRET_KEYS="+string(keys))
	cmd.Dir = req.GetPwd()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == 32 {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: "could not run the Python program: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, srv pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() != "analyzer" {
		return fmt.Errorf("this language host runs only analyzer (policy pack) plugins, not %q", req.GetKind())
	}
	info := req.GetInfo()
	tc, err := python(info)
	if err != nil {
		return err
	}
	dir := info.GetProgramDirectory()
	args := append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
	args = append(args, dir)
	cmd, err := tc.Command(srv.Context(), args...)
	if err != nil {
		return err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Dir = req.GetPwd()
	var mu sync.Mutex
	send := func(r *pulumirpc.RunPluginResponse) error { mu.Lock(); defer mu.Unlock(); return srv.Send(r) }
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		defer wg.Done()
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				_ = send(wrap(append([]byte(nil), buf[:n]...)))
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return err
		}
		code = ee.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

func main() {
	// The engine passes its address as the last positional argument; flags (-v=.., --logtostderr, -tracing ..) are ignored.
	var engine string
	for _, a := range os.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			engine = a
		}
	}
	shim, err := findShim()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python: cannot find pulumi-language-python-exec:", err)
		os.Exit(1)
	}
	h := &host{engine: engine, shim: shim}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error { pulumirpc.RegisterLanguageRuntimeServer(s, h); return nil },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python:", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-python:", err)
		os.Exit(1)
	}
}
