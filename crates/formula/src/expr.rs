//! Formulas of computed columns: + − × ÷, parentheses, decimal numbers and column keys,
//! e.g. `staff_units * salary * months` or `km * norm / 100 * price`.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormulaError {
    Syntax(String, String),
    UnknownVariable(String),
    DivisionByZero,
    Overflow,
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormulaError::Syntax(formula, token) => {
                write!(f, "formula {formula:?}: unexpected {token:?}")
            }
            FormulaError::UnknownVariable(key) => write!(f, "unknown column {key} in a formula"),
            FormulaError::DivisionByZero => f.write_str("division by zero"),
            FormulaError::Overflow => f.write_str("the result is too large"),
        }
    }
}

impl core::error::Error for FormulaError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Number(Decimal),
    Var(String),
    Neg(Box<Expr>),
    Bin(Box<Expr>, char, Box<Expr>),
}

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, FormulaError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            text,
        };
        let expr = parser.sum()?;
        match parser.tokens.get(parser.pos) {
            None => Ok(expr),
            Some(t) => Err(FormulaError::Syntax(text.into(), t.to_string())),
        }
    }

    pub fn variables(&self) -> Vec<String> {
        match self {
            Expr::Number(_) => Vec::new(),
            Expr::Var(v) => vec![v.clone()],
            Expr::Neg(e) => e.variables(),
            Expr::Bin(a, _, b) => {
                let mut v = a.variables();
                v.extend(b.variables());
                v
            }
        }
    }

    pub fn eval(&self, vars: &BTreeMap<String, Decimal>) -> Result<Decimal, FormulaError> {
        match self {
            Expr::Number(n) => Ok(*n),
            Expr::Var(v) => vars
                .get(v)
                .copied()
                .ok_or_else(|| FormulaError::UnknownVariable(v.clone())),
            Expr::Neg(e) => Ok(-e.eval(vars)?),
            Expr::Bin(a, op, b) => {
                let (x, y) = (a.eval(vars)?, b.eval(vars)?);
                match op {
                    '+' => x.checked_add(y).ok_or(FormulaError::Overflow),
                    '-' => x.checked_sub(y).ok_or(FormulaError::Overflow),
                    '*' => x.checked_mul(y).ok_or(FormulaError::Overflow),
                    _ if y.is_zero() => Err(FormulaError::DivisionByZero),
                    _ => x.checked_div(y).ok_or(FormulaError::Overflow),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(Decimal),
    Ident(String),
    Op(char),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Num(n) => write!(f, "{n}"),
            Token::Ident(s) => write!(f, "{s}"),
            Token::Op(c) => write!(f, "{c}"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let literal: String = chars[start..i].iter().collect();
            let n = literal
                .parse::<Decimal>()
                .map_err(|_| FormulaError::Syntax(text.into(), literal.clone()))?;
            out.push(Token::Num(n));
        } else if c.is_ascii_lowercase() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_lowercase() || chars[i].is_ascii_digit() || chars[i] == '_')
            {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else {
            return Err(FormulaError::Syntax(text.into(), c.to_string()));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn error(&self) -> FormulaError {
        FormulaError::Syntax(
            self.text.into(),
            self.peek()
                .map(|t| t.to_string())
                .unwrap_or_else(|| "end".into()),
        )
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.product()?;
        while let Some(Token::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            left = Expr::Bin(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.unary()?;
        while let Some(Token::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            left = Expr::Bin(Box::new(left), op, Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if let Some(Token::Op('-')) = self.peek() {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        match self.peek().cloned() {
            Some(Token::Num(n)) => {
                self.pos += 1;
                Ok(Expr::Number(n))
            }
            Some(Token::Ident(v)) => {
                self.pos += 1;
                Ok(Expr::Var(v))
            }
            Some(Token::Op('(')) => {
                self.pos += 1;
                let inner = self.sum()?;
                if self.peek() == Some(&Token::Op(')')) {
                    self.pos += 1;
                    Ok(inner)
                } else {
                    Err(self.error())
                }
            }
            _ => Err(self.error()),
        }
    }
}
