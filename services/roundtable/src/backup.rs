//! `roundtable admin backup --data DIR --out COPY`: a consistent copy of a data
//! directory while its server runs (the SQLite store's `online_copy` for the log and
//! the vault; the keys and photos copied), then the copy audited like any log: export
//! and verify against the verifier key of the copied `log.key`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use roundtable_store::keys;
use roundtable_store_sqlite::{DB_FILE, online_copy};

const VAULT_FILE: &str = "vault.sqlite";
const SECRET_FILES: [&str; 2] = [keys::KEY_FILE, "vault.key"];

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

pub fn run(data: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    if !data.join(DB_FILE).is_file() {
        bail!("{} holds no log ({DB_FILE})", data.display());
    }
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!("{} is not empty", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o700))?;
    }
    online_copy(&data.join(DB_FILE), &out.join(DB_FILE))?;
    if data.join(VAULT_FILE).is_file() {
        online_copy(&data.join(VAULT_FILE), &out.join(VAULT_FILE))?;
    }
    for name in SECRET_FILES {
        let from = data.join(name);
        if from.is_file() {
            // std::fs::copy keeps the 0600 mode.
            std::fs::copy(&from, out.join(name))
                .with_context(|| format!("copying {}", from.display()))?;
        }
    }
    if data.join("photos").is_dir() {
        copy_tree(&data.join("photos"), &out.join("photos")).context("copying the photos")?;
    }

    // Audit the copy, against the key it was signed with.
    let bundle = out.join("audit");
    crate::audit::export(out, &bundle)?;
    let key = keys::read(&out.join(keys::KEY_FILE)).context("reading the copied log.key")?;
    let vkey = bundle.join("vkey.pinned");
    std::fs::write(&vkey, format!("{}\n", key.verifier().to_vkey()))?;
    let verified = crate::audit::verify(Some(bundle.clone()), None, Some(vkey), None, None)?;
    if verified != ExitCode::SUCCESS {
        bail!("the copy in {} failed its audit", out.display());
    }
    println!("OK backed up {} to {}", data.display(), out.display());
    Ok(ExitCode::SUCCESS)
}
