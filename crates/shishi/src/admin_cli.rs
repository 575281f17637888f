//! `shishi admin reset-password|grant USER`: the way back in when nobody can sign in or
//! administer the system. Whoever runs these holds the database, so they need no account;
//! the audit trail records them without an actor, as from the command line.

use std::io::BufRead;

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use shishi_service::{ServiceError, Services};

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Set a new password for USER (printed once), end their sessions and lift the sign-in
    /// lock on their name.
    ResetPassword {
        user: String,
        /// Read the new password from the first line of standard input instead of generating
        /// one (e.g. `printf '%s\n' "$PW" | shishi admin reset-password admin --password-stdin`).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Reactivate USER's account and grant them system admin on the top unit (the whole
    /// organisation).
    Grant { user: String },
}

pub async fn run(services: &Services, command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::ResetPassword {
            user,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                let line = line.trim_end_matches(['\n', '\r']).to_string();
                if line.is_empty() {
                    bail!("no password on standard input");
                }
                line
            } else {
                shishi_service::auth::random_token()[..16].to_string()
            };
            let row = services
                .reset_password_from_cli(&user, &password)
                .await
                .map_err(|e| explain(e, &user))?;
            println!(
                "Password of {} reset; their sessions are ended.",
                row.username
            );
            if !password_stdin {
                println!("Generated password (shown once): {password}");
            }
        }
        AdminCommand::Grant { user } => {
            let done = services
                .grant_root_admin_from_cli(&user)
                .await
                .map_err(|e| explain(e, &user))?;
            if !done.reactivated && !done.granted {
                println!(
                    "{} is already an active system admin of the whole organisation; nothing changed.",
                    done.username
                );
            } else {
                if done.reactivated {
                    println!("Account {} reactivated.", done.username);
                }
                if done.granted {
                    println!(
                        "{} is now a system admin of the whole organisation.",
                        done.username
                    );
                }
            }
        }
    }
    Ok(())
}

fn explain(e: ServiceError, user: &str) -> anyhow::Error {
    match e {
        ServiceError::NotFound => {
            anyhow!("no account is named {user:?} (or the database is not initialised)")
        }
        ServiceError::Invalid(fields)
            if fields.iter().any(|f| f.code == "error.password_short") =>
        {
            anyhow!(
                "the password must have at least {} characters",
                shishi_service::auth::MIN_PASSWORD_CHARS
            )
        }
        other => anyhow!("{other}"),
    }
}
