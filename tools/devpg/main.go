// Command devpg runs a throwaway Postgres for `make demo` on a machine that has
// no Postgres server: it starts one with github.com/fergusstrange/embedded-postgres,
// prints "devpg: ready ..." once it accepts connections, and stops it cleanly on
// SIGINT or SIGTERM. Data stays in -data between runs.
//
// It uses the Postgres binaries already installed when it finds them (-binaries,
// STEADFAST_PG_BINARIES, `pg_config --bindir`, /usr/lib/postgresql/*), and
// otherwise lets embedded-postgres download them once.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

var versions = map[int]embeddedpostgres.PostgresVersion{
	18: embeddedpostgres.V18, 17: embeddedpostgres.V17, 16: embeddedpostgres.V16,
	15: embeddedpostgres.V15, 14: embeddedpostgres.V14, 13: embeddedpostgres.V13,
	12: embeddedpostgres.V12,
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("devpg: ")

	port := flag.Uint("port", 5433, "TCP port to listen on (127.0.0.1 only)")
	data := flag.String("data", ".steadfast/pgdata", "data directory, kept between runs")
	runtime := flag.String("runtime", ".steadfast/pgruntime", "scratch directory, emptied at every start")
	database := flag.String("database", "steadfast", "database created on first start")
	binaries := flag.String("binaries", os.Getenv("STEADFAST_PG_BINARIES"), "directory holding bin/pg_ctl of an installed Postgres (default: found automatically)")
	flag.Parse()

	if os.Geteuid() == 0 {
		log.Fatal("Postgres refuses to run as root; run as a normal user or use a Postgres server (DATABASE_URL)")
	}
	dataDir, err := filepath.Abs(*data)
	if err != nil {
		log.Fatal(err)
	}
	runtimeDir, err := filepath.Abs(*runtime)
	if err != nil {
		log.Fatal(err)
	}

	cfg := embeddedpostgres.DefaultConfig().
		Port(uint32(*port)).
		Database(*database).
		DataPath(dataDir).
		RuntimePath(runtimeDir).
		StartTimeout(60 * time.Second).
		Logger(os.Stdout).
		StartParameters(map[string]string{
			"listen_addresses":        "127.0.0.1",
			"unix_socket_directories": "", // TCP only: no need for /var/run/postgresql
		})

	binDir := *binaries
	if binDir == "" {
		binDir = findInstalledPostgres()
	}
	if binDir != "" {
		major, err := postgresMajor(binDir)
		if err != nil {
			log.Fatal(err)
		}
		v, ok := versions[major]
		if !ok {
			log.Fatalf("Postgres %d in %s is not supported by embedded-postgres; pass -binaries or remove it from PATH", major, binDir)
		}
		log.Printf("using the Postgres %d binaries in %s", major, binDir)
		cfg = cfg.BinariesPath(binDir).Version(v)
	} else {
		log.Printf("no installed Postgres found; embedded-postgres downloads one (first run only)")
		cfg = cfg.Version(embeddedpostgres.V15)
	}

	pg := embeddedpostgres.NewDatabase(cfg)
	if err := pg.Start(); err != nil {
		log.Fatalf("start: %v", err)
	}
	fmt.Printf("devpg: ready on 127.0.0.1:%d (database %s, user postgres, password postgres)\n", *port, *database)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	s := <-sig
	log.Printf("received %v; stopping Postgres", s)
	if err := pg.Stop(); err != nil {
		log.Fatalf("stop: %v", err)
	}
	log.Printf("stopped")
}

// findInstalledPostgres returns a directory D with D/bin/pg_ctl, or "".
func findInstalledPostgres() string {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := filepath.Dir(strings.TrimSpace(string(out))); hasPgCtl(d) {
			return d
		}
	}
	// Debian and Ubuntu keep server binaries off PATH, one directory per major version.
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) > majorOf(matches[j]) })
	for _, m := range matches {
		if d := filepath.Dir(filepath.Dir(m)); hasPgCtl(d) {
			return d
		}
	}
	return ""
}

func hasPgCtl(dir string) bool {
	for _, b := range []string{"pg_ctl", "initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, "bin", b)); err != nil {
			return false
		}
	}
	return true
}

func majorOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

func postgresMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "bin", "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s/bin/postgres --version: %w", dir, err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("cannot read the version from %q", strings.TrimSpace(string(out)))
	}
	return strconv.Atoi(string(m[1]))
}
