//! The application of a representative or audit body for access (OV-1, OV-2; appendix of
//! order No. 270): the body, its employees (full name, IIN, position and unit, the code of their
//! E-Qyzmet QR, phone and e-mail), the purpose and the systems asked for. The authorized body
//! reviews it within 2 working days — forwards it to the integrator or refuses it with a reason
//! — and the integrator grants the access within 2 working days of receiving it. Both deadlines
//! are counted on the working-day calendar; an application past one is overdue.

use crate::BodyKind;
use chrono::NaiveDate;
use jospar_core::{Iin, WorkingCalendar};
use serde::{Deserialize, Serialize};

/// Working days the authorized body has to review an application, and the integrator to grant
/// access once it is forwarded.
pub const REVIEW_DAYS: u32 = 2;
pub const GRANT_DAYS: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Employee {
    pub full_name: String,
    pub iin: String,
    pub position: String,
    pub unit: String,
    /// The text of the employee's E-Qyzmet QR code.
    pub qr_code: String,
    /// The uploaded picture of the code, as a `data:` URL, kept for the reviewing authority
    /// (INTEGRATIONS.md §8: the code's payload has no public description, so it is checked by
    /// eye against the picture).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub qr_picture: String,
    pub phone: String,
    pub email: String,
}

/// What a body asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = OversightRequest)]
pub struct Request {
    pub body_name: String,
    pub body_bin: String,
    pub kind: BodyKind,
    /// The region's root organisation or the central body, as the kind asks.
    pub anchor_org_id: Option<i64>,
    pub employees: Vec<Employee>,
    pub purpose: String,
    /// Access to the analytic data, to the planning data, or both.
    pub analytic: bool,
    pub planning: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OversightStatus)]
pub enum Status {
    /// Filed, waiting for the body's signature.
    Draft,
    Submitted,
    Forwarded,
    Refused,
    Granted,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Forwarded,
        Status::Refused,
        Status::Granted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Forwarded => "forwarded",
            Status::Refused => "refused",
            Status::Granted => "granted",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A field of the application that is wrong, with the employee's number (from 1) when it is
/// theirs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} of employee {employee:?} is not valid")]
pub struct RequestError {
    pub field: &'static str,
    pub employee: Option<usize>,
}

fn required(value: &str, field: &'static str, employee: Option<usize>) -> Result<(), RequestError> {
    if value.trim().is_empty() {
        Err(RequestError { field, employee })
    } else {
        Ok(())
    }
}

/// Checks an application before it is stored: the body named with a valid BIN, at least one
/// employee, every employee complete with a valid IIN and e-mail, listed once, a purpose and at
/// least one system.
pub fn check_request(r: &Request) -> Result<(), RequestError> {
    required(&r.body_name, "body_name", None)?;
    if jospar_core::Bin::parse(&r.body_bin).is_err() {
        return Err(RequestError {
            field: "body_bin",
            employee: None,
        });
    }
    required(&r.purpose, "purpose", None)?;
    if !r.analytic && !r.planning {
        return Err(RequestError {
            field: "systems",
            employee: None,
        });
    }
    if r.employees.is_empty() {
        return Err(RequestError {
            field: "employees",
            employee: None,
        });
    }
    for (i, e) in r.employees.iter().enumerate() {
        let n = Some(i + 1);
        required(&e.full_name, "full_name", n)?;
        required(&e.position, "position", n)?;
        required(&e.unit, "unit", n)?;
        required(&e.qr_code, "qr_code", n)?;
        required(&e.phone, "phone", n)?;
        if Iin::parse(&e.iin).is_err() {
            return Err(RequestError {
                field: "iin",
                employee: n,
            });
        }
        if !e.email.contains('@') {
            return Err(RequestError {
                field: "email",
                employee: n,
            });
        }
        if r.employees[..i].iter().any(|other| other.iin == e.iin) {
            return Err(RequestError {
                field: "iin",
                employee: n,
            });
        }
    }
    Ok(())
}

/// Which deadline an application has missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Overdue {
    Review,
    Grant,
}

/// The deadline of the step an application waits for, and whether it has passed by `today`.
pub fn deadline(
    calendar: &WorkingCalendar,
    status: Status,
    submitted_on: NaiveDate,
    decided_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<(NaiveDate, Option<Overdue>)> {
    let (due, late) = match (status, decided_on) {
        (Status::Submitted, _) => (
            calendar.add_working_days(submitted_on, REVIEW_DAYS),
            Overdue::Review,
        ),
        (Status::Forwarded, Some(forwarded)) => (
            calendar.add_working_days(forwarded, GRANT_DAYS),
            Overdue::Grant,
        ),
        _ => return None,
    };
    Some((due, (today > due).then_some(late)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employee(iin: &str) -> Employee {
        Employee {
            full_name: "Ахметов Арман".into(),
            iin: iin.into(),
            position: "главный специалист".into(),
            unit: "отдел аудита".into(),
            qr_code: "EQ-123456".into(),
            qr_picture: String::new(),
            phone: "+7 701 000 00 00".into(),
            email: "a@maslikhat.kz".into(),
        }
    }

    fn request() -> Request {
        Request {
            body_name: "Маслихат Мангистауской области".into(),
            body_bin: "990140000017".into(),
            kind: BodyKind::Maslikhat,
            anchor_org_id: Some(1),
            employees: vec![employee("850101300005")],
            purpose: "контроль исполнения бюджета".into(),
            analytic: true,
            planning: false,
        }
    }

    #[test]
    fn an_application_is_checked_field_by_field() {
        assert_eq!(check_request(&request()), Ok(()));
        let mut bad = request();
        bad.body_bin = "990140000018".into();
        assert_eq!(check_request(&bad).map_err(|e| e.field), Err("body_bin"));
        let mut bad = request();
        bad.employees.push(employee("850101300005"));
        assert_eq!(
            check_request(&bad),
            Err(RequestError {
                field: "iin",
                employee: Some(2)
            }),
            "the same employee twice"
        );
        let mut bad = request();
        bad.employees[0].email = "nobody".into();
        assert_eq!(check_request(&bad).map_err(|e| e.field), Err("email"));
        let mut bad = request();
        bad.analytic = false;
        assert_eq!(check_request(&bad).map_err(|e| e.field), Err("systems"));
        let mut bad = request();
        bad.employees.clear();
        assert_eq!(check_request(&bad).map_err(|e| e.field), Err("employees"));
    }

    #[test]
    fn deadlines_count_working_days() {
        let calendar = WorkingCalendar::new([]);
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        // Submitted on Friday 27 November: due Tuesday 1 December (Monday is 30 November).
        let (due, late) =
            deadline(&calendar, Status::Submitted, d(11, 27), None, d(12, 1)).expect("due");
        assert_eq!((due, late), (d(12, 1), None));
        let (_, late) =
            deadline(&calendar, Status::Submitted, d(11, 27), None, d(12, 2)).expect("due");
        assert_eq!(late, Some(Overdue::Review));
        // Independence Day (16 December) is not a working day.
        let (due, _) = deadline(
            &calendar,
            Status::Forwarded,
            d(11, 27),
            Some(d(12, 15)),
            d(12, 15),
        )
        .expect("due");
        assert_eq!(due, d(12, 18));
        assert_eq!(
            deadline(
                &calendar,
                Status::Granted,
                d(11, 27),
                Some(d(12, 1)),
                d(12, 30)
            ),
            None
        );
    }
}
