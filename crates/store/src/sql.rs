//! A small builder for the few queries whose WHERE clause depends on the filters given.

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, FromRow};

#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.arg(Arg::Int(v))
    }

    pub fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.arg(Arg::Text(v.into()))
    }

    /// `(col >= $a AND col < $b) OR …` for a set of subtree roots; an empty set matches nothing.
    pub fn paths(&mut self, column: &str, roots: &[String]) -> &mut Self {
        if roots.is_empty() {
            return self.push("1 = 0");
        }
        self.push("(");
        for (i, root) in roots.iter().enumerate() {
            if i > 0 {
                self.push(" OR ");
            }
            self.push(&format!("({column} >= "))
                .text(root.clone())
                .push(&format!(" AND {column} < "))
                .text(crate::path_upper_bound(root))
                .push(")");
        }
        self.push(")")
    }

    /// `col IN ($a, $b, …)` for texts; an empty list matches nothing.
    pub fn in_texts(&mut self, column: &str, values: &[String]) -> &mut Self {
        if values.is_empty() {
            return self.push("1 = 0");
        }
        self.push(&format!("{column} IN ("));
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.text(v.clone());
        }
        self.push(")")
    }

    fn bind_args<'q, Q>(&'q self, mut q: Q, bind: impl Fn(Q, &'q Arg) -> Q) -> Q {
        for a in &self.args {
            q = bind(q, a);
        }
        q
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.bind_args(sqlx::query(&self.text), |q, a| match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_str()),
        })
    }

    pub fn query_as<'q, T>(&'q self) -> QueryAs<'q, Any, T, AnyArguments<'q>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        self.bind_args(sqlx::query_as(&self.text), |q, a| match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_str()),
        })
    }

    pub fn scalar<'q, T>(&'q self) -> QueryScalar<'q, Any, T, AnyArguments<'q>>
    where
        (T,): for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        self.bind_args(sqlx::query_scalar(&self.text), |q, a| match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_str()),
        })
    }
}
