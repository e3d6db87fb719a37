"""Shared fixtures. Tests are offline: any connection outside loopback fails loudly."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PDF_ZOO = SHARED / "pdf-zoo"
SAMPLE_CORPUS = REPO / "corpus"


def pytest_report_header(config: pytest.Config) -> list[str]:
    import importlib.metadata as md

    versions = []
    for name in ("chromadb", "sentence-transformers", "torch", "gradio", "pypdf", "langchain-core"):
        try:
            versions.append(f"{name}=={md.version(name)}")
        except md.PackageNotFoundError:
            versions.append(f"{name}: not installed")
    return ["eip-assistant deps: " + ", ".join(versions)]


_real_connect = socket.socket.connect


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # unix sockets


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(name="models_dir", scope="session")
def fixture_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of ONNX exports per session: the model is exported once, not per data dir."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, models_dir: Path) -> None:
    """No user config or EIP_* variable leaks into a test; exports go to the session's folder."""
    for key in list(os.environ):
        if key.startswith("EIP_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("EIP_CONFIG", str(tmp_path / "no-such-eip.toml"))
    monkeypatch.setenv("EIP_MODEL_CACHE_DIR", str(models_dir))


@pytest.fixture(name="settings")
def fixture_settings(tmp_path: Path):
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")


@pytest.fixture(name="hashing_embedder")
def fixture_hashing_embedder():
    from indexing.embed import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(name="real_embedder", scope="session")
def fixture_real_embedder(models_dir: Path):
    """The bundled model on the default backend (so default Settings open indexes built with it)."""
    from assistant.settings import Settings
    from indexing.embed import make_embedder

    return make_embedder(Settings(model_cache_dir=models_dir))


def _index_once(tmp_path_factory: pytest.TempPathFactory, embedder, corpus: Path, name: str) -> Path:
    from assistant.settings import Settings
    from indexing import build_index, open_index

    data = tmp_path_factory.mktemp(name)
    index = open_index(Settings(data_dir=data, corpus_dir=corpus), embedder=embedder, must_exist=False)
    try:
        report = build_index(index, corpus)
    finally:
        index.close()
    assert report.failed == [], f"{corpus} must index cleanly: {report.failed}"
    return data


@pytest.fixture(name="sample_index_template", scope="session")
def fixture_sample_index_template(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    """The sample corpus indexed once per session with the real (bundled) embedder."""
    return _index_once(tmp_path_factory, real_embedder, SAMPLE_CORPUS, "sample-index")


INDEPENDENT_CORPUS = REPO / "evals" / "independent" / "corpus"


@pytest.fixture(name="independent_index_template", scope="session")
def fixture_independent_index_template(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    """The frozen independent evaluation corpus, indexed once per session."""
    return _index_once(tmp_path_factory, real_embedder, INDEPENDENT_CORPUS, "independent-index")


@pytest.fixture(name="sample_assistant", scope="session")
def fixture_sample_assistant(sample_index_template: Path):
    """An extractive assistant over the session's sample index (read-only: do not write to it)."""
    from assistant.service import build_assistant
    from assistant.settings import Settings

    assistant = build_assistant(Settings(data_dir=sample_index_template, corpus_dir=SAMPLE_CORPUS))
    yield assistant
    assistant.close()


@pytest.fixture(name="sample_data_dir")
def fixture_sample_data_dir(sample_index_template: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the session's sample index."""
    import shutil

    target = tmp_path / "sample-index"
    shutil.copytree(sample_index_template, target)
    return target


# ----------------------------------------------------------------------------- local servers
# Real servers the tests start themselves, on loopback only: a Chroma server from the
# installed chromadb and a throw-away PostgreSQL cluster from Debian's postgresql package.
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {timeout:.0f} s")


class ChromaServer:
    """``chroma run`` on a loopback port; ``stop()``/``start()`` keep the same port and path."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        import sys

        self.path = path
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.cli = Path(sys.executable).with_name("chroma")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not self.cli.exists():
            # chromadb is a hard dependency: a missing CLI is a broken install, not a skip.
            pytest.fail(f"no `chroma` command next to {self.cli.parent}; run `make install`")
        log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(self.cli), "run", "--path", str(self.path), "--host", self.host,
             "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        _wait_http(f"http://{self.host}:{self.port}/api/v2/heartbeat", self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(name="chroma_server")
def fixture_chroma_server(tmp_path: Path):
    """A fresh Chroma server for one test (the test may stop and restart it)."""
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pg_bindir() -> Path | None:
    import shutil

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory, on a loopback port.

    PostgreSQL refuses to run as root, so under root (CI) the server runs as the ``postgres``
    user that Debian's package creates.
    """

    def __init__(self, bindir: Path) -> None:
        import tempfile

        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="eip-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = "eip"
        self.password = "eip-test-secret"
        self.database = "eip_test"
        self._as: list[str] = []
        if os.geteuid() == 0:
            import pwd
            import shutil

            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and no `postgres` user to run PostgreSQL as "
                            "(install it with `apt-get install postgresql`)")
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return (f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/"
                f"{self.database}")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, cwd=self.dir)

    def init(self) -> None:
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password)
        if self._as:
            import shutil

            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  "--pwfile", str(pwfile), "-A", "scram-sha-256", "--no-sync", "-E", "UTF8")
        self.start()
        env = {**os.environ, "PGPASSWORD": self.password}
        subprocess.run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", self.user, self.database], check=True, capture_output=True, env=env)

    def start(self) -> None:
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w",
                  "-t", "60", "-l", str(self.dir / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([*self._as, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode,
                        "-w", "stop"], capture_output=True, cwd=self.dir)

    def cleanup(self) -> None:
        import shutil

        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(name="postgres_server", scope="session")
def fixture_postgres_server():
    """A PostgreSQL server for the session; skips (with the install hint) when unavailable."""
    try:
        import psycopg  # noqa: F401
    except ImportError:  # a declared dependency: its absence is a broken install
        pytest.fail("the psycopg driver is missing; run `make install`")
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed: `apt-get install postgresql` "
                    "(make test installs it when it can)")
    server = PostgresServer(bindir)
    try:
        server.init()
    except subprocess.CalledProcessError as exc:
        server.cleanup()
        pytest.fail(f"could not start PostgreSQL from {bindir}: {exc.stderr!r}")
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(name="postgres_url")
def fixture_postgres_url(postgres_server: PostgresServer) -> str:
    """URL of the session's PostgreSQL database, with the review tables dropped."""
    from sqlalchemy import create_engine

    from assistant.reviews import metadata

    engine = create_engine(postgres_server.url)
    metadata.drop_all(engine)
    engine.dispose()
    return postgres_server.url


@pytest.fixture(name="catalogue", scope="session")
def fixture_catalogue():
    """The sample corpus's criteria catalogue."""
    from assistant.catalogue import load_catalogue

    return load_catalogue(SAMPLE_CORPUS / "criteria.yaml")


@pytest.fixture(name="registry", scope="session")
def fixture_registry():
    """The sample corpus's zone registry."""
    from assistant.catalogue import load_zones

    return load_zones(SAMPLE_CORPUS / "zones.yaml")
