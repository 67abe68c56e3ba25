//! The ShEP sync channel's `SendMessage` envelope (INTEGRATIONS.md §6.1): what a client sends
//! and reads back, and what the bus answers, both sides written here once so that the fake bus
//! and the client agree with the documented format and with each other.

use crate::ShepError;
use crate::xml::{Element, escape, parse};
use chrono::{DateTime, FixedOffset};

pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const TYPES_NS: &str = "http://bip.bee.kz/SyncChannel/v10/Types";
pub const COMMON_NS: &str = "http://bip.bee.kz/common/v10/Types";
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The bus's status of a message it processed.
pub const SUCCESS: &str = "SCSS001";
/// The `wsu:Id` of the body, which the WS-Security signature references.
pub const BODY_ID: &str = "body-1";

/// A service's payload: the children of `requestData/data` (or `responseData/data`), typed
/// with `xsi:type` in the service's own namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub namespace: String,
    pub type_name: String,
    pub inner_xml: String,
}

impl Payload {
    fn data_element(&self) -> String {
        format!(
            r#"<data xmlns:xsi="{XSI_NS}" xmlns:p="{}" xsi:type="p:{}">{}</data>"#,
            escape(self.namespace.as_str()),
            escape(self.type_name.as_str()),
            self.inner_xml
        )
    }
}

/// `SendMessage` with its `SyncMessageInfo`.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub message_id: String,
    pub service_id: String,
    pub message_date: DateTime<FixedOffset>,
    pub sender_id: String,
    pub password: String,
    pub properties: Vec<(String, String)>,
    pub data: Payload,
}

/// The date format of the samples: milliseconds and the zone's offset.
fn xml_date(date: &DateTime<FixedOffset>) -> String {
    date.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

impl SyncRequest {
    /// The unsigned envelope; its empty header receives the WS-Security signature.
    pub fn envelope(&self) -> String {
        let properties: String = self
            .properties
            .iter()
            .map(|(k, v)| {
                format!(
                    "<properties><key>{}</key><value>{}</value></properties>",
                    escape(k.as_str()),
                    escape(v.as_str())
                )
            })
            .collect();
        format!(
            r#"<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:wsu="{WSU_NS}"><soapenv:Header/><soapenv:Body wsu:Id="{BODY_ID}"><typ:SendMessage xmlns:typ="{TYPES_NS}"><request><requestInfo><messageId>{}</messageId><serviceId>{}</serviceId><messageDate>{}</messageDate><sender><senderId>{}</senderId><password>{}</password></sender>{properties}</requestInfo><requestData>{}</requestData></request></typ:SendMessage></soapenv:Body></soapenv:Envelope>"#,
            escape(self.message_id.as_str()),
            escape(self.service_id.as_str()),
            xml_date(&self.message_date),
            escape(self.sender_id.as_str()),
            escape(self.password.as_str()),
            self.data.data_element(),
        )
    }
}

/// What the bus answered to a message it processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncResponse {
    pub message_id: String,
    pub status_code: String,
    pub status_message: String,
    /// `responseData/data`, whose children are the service's answer.
    pub data: Option<Element>,
}

fn soap_body(root: &Element) -> Result<&Element, String> {
    if root.namespace != SOAP_NS || root.name != "Envelope" {
        return Err(format!(
            "not a SOAP 1.1 envelope: {{{}}}{}",
            root.namespace, root.name
        ));
    }
    root.children
        .iter()
        .find(|c| c.namespace == SOAP_NS && c.name == "Body")
        .ok_or_else(|| "the envelope has no Body".to_string())
}

/// Reads the bus's answer: a `SendMessageResponse`, or a SOAP fault as [`ShepError::Fault`].
pub fn parse_response(xml: &str) -> Result<SyncResponse, ShepError> {
    let root = parse(xml).map_err(|e| ShepError::Malformed(e.to_string()))?;
    let body = soap_body(&root).map_err(ShepError::Malformed)?;
    if let Some(fault) = body.child("Fault") {
        return Err(fault_error(fault));
    }
    let response = body
        .children
        .iter()
        .find(|c| c.namespace == TYPES_NS && c.name == "SendMessageResponse")
        .and_then(|r| r.child("response"))
        .ok_or_else(|| ShepError::Malformed("no SendMessageResponse/response".into()))?;
    let info = response
        .child("responseInfo")
        .ok_or_else(|| ShepError::Malformed("no responseInfo".into()))?;
    let status_code = info
        .text_at(&["status", "code"])
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ShepError::Malformed("no responseInfo/status/code".into()))?;
    Ok(SyncResponse {
        message_id: info.text_at(&["messageId"]).unwrap_or_default().into(),
        status_code: status_code.into(),
        status_message: info
            .text_at(&["status", "message"])
            .unwrap_or_default()
            .into(),
        data: response.at(&["responseData", "data"]).cloned(),
    })
}

/// A fault's `ErrorInfo` (`errorCode`, `errorMessage`), or its `faultstring` when it has none.
fn fault_error(fault: &Element) -> ShepError {
    let info = fault
        .child("detail")
        .and_then(|d| d.children.first())
        .filter(|i| i.child("errorCode").is_some());
    match info {
        Some(info) => ShepError::Fault {
            code: info.text_at(&["errorCode"]).unwrap_or_default().into(),
            message: info.text_at(&["errorMessage"]).unwrap_or_default().into(),
        },
        None => ShepError::Fault {
            code: fault.text_at(&["faultcode"]).unwrap_or_default().into(),
            message: fault.text_at(&["faultstring"]).unwrap_or_default().into(),
        },
    }
}

/// A `SendMessage` as the bus receives it, after the checks of [`parse_request`].
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub message_id: String,
    pub service_id: String,
    pub message_date: DateTime<FixedOffset>,
    pub sender_id: String,
    pub password: String,
    pub properties: Vec<(String, String)>,
    /// `requestData/data`.
    pub data: Element,
    /// Whether the header carries a `wsse:Security` element.
    pub signed: bool,
}

impl ReceivedRequest {
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a `SendMessage` envelope the way the bus does: namespaces, the required
/// `requestInfo` fields and the data. The error says which part is wrong.
pub fn parse_request(xml: &str) -> Result<ReceivedRequest, String> {
    let root = parse(xml).map_err(|e| e.to_string())?;
    let body = soap_body(&root)?;
    let signed = root
        .children
        .iter()
        .find(|c| c.namespace == SOAP_NS && c.name == "Header")
        .is_some_and(|h| {
            h.children
                .iter()
                .any(|s| s.namespace == WSSE_NS && s.name == "Security")
        });
    let request = body
        .children
        .iter()
        .find(|c| c.namespace == TYPES_NS && c.name == "SendMessage")
        .ok_or_else(|| format!("no {{{TYPES_NS}}}SendMessage in the Body"))?
        .child("request")
        .ok_or("no SendMessage/request")?;
    let info = request.child("requestInfo").ok_or("no requestInfo")?;
    let required = |path: &[&str]| {
        info.text_at(path)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("requestInfo/{} is required", path.join("/")))
    };
    let date = required(&["messageDate"])?;
    let message_date = DateTime::parse_from_rfc3339(&date)
        .map_err(|e| format!("requestInfo/messageDate {date:?}: {e}"))?;
    let properties = info
        .children_named("properties")
        .map(|p| {
            (
                p.text_at(&["key"]).unwrap_or_default().to_string(),
                p.text_at(&["value"]).unwrap_or_default().to_string(),
            )
        })
        .collect();
    Ok(ReceivedRequest {
        message_id: required(&["messageId"])?,
        service_id: required(&["serviceId"])?,
        message_date,
        sender_id: required(&["sender", "senderId"])?,
        password: required(&["sender", "password"])?,
        properties,
        data: request
            .at(&["requestData", "data"])
            .cloned()
            .ok_or("requestData/data is required")?,
        signed,
    })
}

/// The bus's answer to a processed message.
pub fn response_envelope(
    message_id: &str,
    response_date: &DateTime<FixedOffset>,
    status: (&str, &str),
    data: Option<&Payload>,
) -> String {
    let data = data
        .map(|d| format!("<responseData>{}</responseData>", d.data_element()))
        .unwrap_or_default();
    format!(
        r#"<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body><ns2:SendMessageResponse xmlns:ns2="{TYPES_NS}"><response><responseInfo><messageId>{}</messageId><responseDate>{}</responseDate><status><code>{}</code><message>{}</message></status></responseInfo>{data}</response></ns2:SendMessageResponse></soap:Body></soap:Envelope>"#,
        escape(message_id),
        xml_date(response_date),
        escape(status.0),
        escape(status.1),
    )
}

/// The bus's SOAP fault with its `ErrorInfo`.
pub fn fault_envelope(code: &str, message: &str, date: &DateTime<FixedOffset>) -> String {
    format!(
        r#"<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>{message}</faultstring><detail><ns2:SendMessageFault1_SendMessageFault xmlns:ns2="{TYPES_NS}" xmlns:ns3="{COMMON_NS}"><errorCode>{code}</errorCode><errorMessage>{message}</errorMessage><errorDate>{}</errorDate></ns2:SendMessageFault1_SendMessageFault></detail></soap:Fault></soap:Body></soap:Envelope>"#,
        xml_date(date),
        code = escape(code),
        message = escape(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SyncRequest {
        SyncRequest {
            message_id: "3f1c2a9e-0000-4000-8000-000000000001".into(),
            service_id: "FUPF_PLAN".into(),
            message_date: DateTime::parse_from_rfc3339("2025-05-01T10:00:00+05:00").unwrap(),
            sender_id: "jospar".into(),
            password: "p<&>".into(),
            properties: vec![("DOCUMENT_ID".into(), "42".into())],
            data: Payload {
                namespace: "urn:example".into(),
                type_name: "Request".into(),
                inner_xml: "<a>1 &amp; 2</a>".into(),
            },
        }
    }

    #[test]
    fn a_request_reads_back_as_the_bus_reads_it() {
        let xml = request().envelope();
        assert!(xml.contains("<messageDate>2025-05-01T10:00:00.000+05:00</messageDate>"));
        let received = parse_request(&xml).unwrap();
        assert_eq!(received.message_id, "3f1c2a9e-0000-4000-8000-000000000001");
        assert_eq!(received.service_id, "FUPF_PLAN");
        assert_eq!(received.password, "p<&>");
        assert_eq!(received.property("DOCUMENT_ID"), Some("42"));
        assert_eq!(received.data.attribute("type"), Some("p:Request"));
        assert_eq!(received.data.text_at(&["a"]), Some("1 & 2"));
        assert!(!received.signed, "nothing signed it yet");
    }

    #[test]
    fn the_bus_names_what_a_request_lacks() {
        let xml = request()
            .envelope()
            .replace("<serviceId>FUPF_PLAN</serviceId>", "");
        assert_eq!(
            parse_request(&xml).unwrap_err(),
            "requestInfo/serviceId is required"
        );
        let xml = request().envelope().replace(TYPES_NS, "urn:other");
        assert!(parse_request(&xml).unwrap_err().contains("SendMessage"));
    }

    #[test]
    fn responses_and_faults_read_back() {
        let date = DateTime::parse_from_rfc3339("2025-05-01T10:00:01+05:00").unwrap();
        let payload = Payload {
            namespace: "urn:example".into(),
            type_name: "Answer".into(),
            inner_xml: "<status>ACCEPTED</status>".into(),
        };
        let xml = response_envelope(
            "m-1",
            &date,
            (SUCCESS, "Message has been processed successfully"),
            Some(&payload),
        );
        let response = parse_response(&xml).unwrap();
        assert_eq!(response.status_code, SUCCESS);
        assert_eq!(response.message_id, "m-1");
        assert_eq!(
            response.data.unwrap().text_at(&["status"]),
            Some("ACCEPTED")
        );
        let fault = parse_response(&fault_envelope("SCE001", "Ошибка авторизации", &date));
        assert_eq!(
            fault.unwrap_err(),
            ShepError::Fault {
                code: "SCE001".into(),
                message: "Ошибка авторизации".into()
            }
        );
        assert!(matches!(
            parse_response("<html>502 Bad Gateway</html>"),
            Err(ShepError::Malformed(_))
        ));
    }
}
