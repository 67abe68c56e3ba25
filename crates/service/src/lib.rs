//! The service of the system (issue 30): what keeps it sound for its users besides the
//! budget work. Today: the monthly self-check's reports (specification item 15), kept and
//! shown to the system administrator.

pub mod selfcheck;
