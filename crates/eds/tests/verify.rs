//! Verification of CMS signatures and the signing policy (BP-6, P-9) with a test CA generated
//! here: RSA and ECDSA keys, Kalkan's BER and PEM, and every refusal the server must make.

use chrono::{Duration, Utc};
use jospar_eds::testkit::{
    FakeNcaLayer, FakeNcaNode, KeyAlgorithm, Person, TestCa, Usage, as_kalkan_ber, cms_pem,
};
use jospar_eds::{
    EdsError, NativeThenNcaNode, NativeVerifier, NcaNodeVerifier, SignatureVerifier,
    check_document_signer, decode_cms_text,
};
use serde_json::json;

const IIN: &str = "870412300415";
const DOCUMENT: &[u8] = br#"{"document":"budget-request","id":42}"#;

fn verifier(ca: &TestCa) -> NativeVerifier {
    NativeVerifier::new(vec![ca.certificate.clone()])
}

#[test]
fn rsa_and_ecdsa_signatures_verify_and_name_the_signer() {
    for algorithm in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256] {
        let ca = TestCa::new("ТЕСТ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ", algorithm).expect("ca");
        let key = ca
            .issue(&Person::individual(IIN, "Ахметова Динара", algorithm))
            .expect("key");
        let cms = key.sign_detached(DOCUMENT).expect("sign");
        let signer = verifier(&ca)
            .verify(&cms, DOCUMENT, Utc::now())
            .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
        assert_eq!(signer.iin.as_deref(), Some(IIN));
        assert_eq!(signer.common_name, "АХМЕТОВА ДИНАРА");
        assert!(signer.signing_key);
        assert_eq!(signer.roles, vec!["INDIVIDUAL".to_string()]);
        assert_eq!(check_document_signer(&signer, IIN, None), Ok(()));
    }
}

#[test]
fn kalkan_ber_in_pem_is_read_like_der() {
    let ca = TestCa::new("ТЕСТ CA", KeyAlgorithm::P256).expect("ca");
    let key = ca
        .issue(&Person::individual(
            IIN,
            "Ахметова Динара",
            KeyAlgorithm::P256,
        ))
        .expect("key");
    let der = key.sign_detached(DOCUMENT).expect("sign");
    let ber = as_kalkan_ber(&der);
    assert_ne!(ber, der);
    let pem = cms_pem(&ber);
    assert!(pem.starts_with("-----BEGIN CMS-----\nMIA"), "{pem}");
    let bytes = decode_cms_text(&pem).expect("pem");
    assert_eq!(bytes, ber);
    verifier(&ca)
        .verify(&bytes, DOCUMENT, Utc::now())
        .expect("BER verifies");
}

#[test]
fn refusals_name_what_is_wrong() {
    let ca = TestCa::new("ТЕСТ CA", KeyAlgorithm::P256).expect("ca");
    let person = Person::individual(IIN, "Ахметова Динара", KeyAlgorithm::P256);
    let key = ca.issue(&person).expect("key");
    let cms = key.sign_detached(DOCUMENT).expect("sign");
    let native = verifier(&ca);
    let now = Utc::now();

    // Another document (the request changed after signing).
    let other = br#"{"document":"budget-request","id":43}"#;
    assert_eq!(native.verify(&cms, other, now), Err(EdsError::DataMismatch));

    // A signature value that does not verify.
    let mut broken = cms.clone();
    let last = broken.len() - 5;
    broken[last] ^= 0x55;
    assert!(native.verify(&broken, DOCUMENT, now).is_err());

    // A certificate from a CA we do not trust.
    let stranger = TestCa::new("ЧУЖОЙ CA", KeyAlgorithm::P256).expect("ca");
    let foreign = stranger.issue(&person).expect("key");
    let foreign_cms = foreign.sign_detached(DOCUMENT).expect("sign");
    assert_eq!(
        native.verify(&foreign_cms, DOCUMENT, now),
        Err(EdsError::Untrusted)
    );

    // An expired certificate.
    let expired = ca
        .issue(&Person {
            not_before: now - Duration::days(400),
            not_after: now - Duration::days(35),
            ..person.clone()
        })
        .expect("key");
    let expired_cms = expired.sign_detached(DOCUMENT).expect("sign");
    assert!(matches!(
        native.verify(&expired_cms, DOCUMENT, now),
        Err(EdsError::Expired(_))
    ));

    // An authentication key verifies but may not sign documents.
    let auth = ca
        .issue(&Person {
            usage: Usage::Auth,
            ..person.clone()
        })
        .expect("key");
    let auth_signer = native
        .verify(&auth.sign_detached(DOCUMENT).expect("sign"), DOCUMENT, now)
        .expect("verifies");
    assert_eq!(
        check_document_signer(&auth_signer, IIN, None),
        Err(EdsError::NotSigningKey)
    );

    // Somebody else's key.
    let signer = native.verify(&cms, DOCUMENT, now).expect("verifies");
    assert_eq!(
        check_document_signer(&signer, "900101300123", None).map_err(|e| e.code()),
        Err("wrong-signer")
    );

    // Not a signature at all.
    for garbage in ["", "hello", "-----BEGIN CMS-----\nAAAA\n-----END CMS-----"] {
        let result = decode_cms_text(garbage).and_then(|b| native.verify(&b, DOCUMENT, now));
        assert!(matches!(result, Err(EdsError::Malformed(_))), "{garbage}");
    }
}

/// A CMS whose signer uses a GOST algorithm: the native verifier declines, NCANode decides.
#[tokio::test]
async fn gost_signatures_go_to_ncanode() {
    let ca = TestCa::new("ТЕСТ CA", KeyAlgorithm::P256).expect("ca");
    let key = ca
        .issue(&Person::individual(
            IIN,
            "Ахметова Динара",
            KeyAlgorithm::P256,
        ))
        .expect("key");
    let gost = relabel_as_gost(&key.sign_detached(DOCUMENT).expect("sign"));
    let native = verifier(&ca);
    assert!(matches!(
        native.verify(&gost, DOCUMENT, Utc::now()),
        Err(EdsError::UnsupportedAlgorithm(_))
    ));
    let node = FakeNcaNode::spawn().await.expect("fake ncanode");
    node.answer(&gost, ncanode_answer(true, false));
    let chain = NativeThenNcaNode {
        native,
        ncanode: NcaNodeVerifier::new(
            &node.url(),
            vec!["OCSP".into()],
            std::time::Duration::from_secs(5),
        ),
    };
    let signer = chain
        .verify_cms(&gost, DOCUMENT)
        .await
        .expect("NCANode says valid");
    assert_eq!(signer.iin.as_deref(), Some(IIN));
    assert_eq!(signer.roles, vec!["INDIVIDUAL".to_string()]);
    assert!(signer.signing_key);

    node.answer(&gost, ncanode_answer(false, true));
    assert_eq!(
        chain.verify_cms(&gost, DOCUMENT).await,
        Err(EdsError::Revoked)
    );
    // NCANode's 400 envelope for what it cannot parse.
    let unknown = relabel_as_gost(&key.sign_detached(b"other").expect("sign"));
    assert!(matches!(
        chain.verify_cms(&unknown, DOCUMENT).await,
        Err(EdsError::Malformed(_))
    ));
    // NCANode down.
    let down = NcaNodeVerifier::new(
        "http://127.0.0.1:9",
        vec![],
        std::time::Duration::from_secs(2),
    );
    assert!(matches!(
        down.verify_cms(&gost, DOCUMENT).await,
        Err(EdsError::Unavailable(_))
    ));
}

fn ncanode_answer(valid: bool, revoked: bool) -> serde_json::Value {
    let now = Utc::now();
    json!({
        "status": 200, "message": "OK", "valid": valid,
        "signers": [{"certificates": [{
            "valid": valid,
            "revocations": [{"revoked": revoked, "by": "OCSP", "revocationTime": null, "reason": null}],
            "notBefore": (now - Duration::days(1)).to_rfc3339(),
            "notAfter": (now + Duration::days(300)).to_rfc3339(),
            "keyUsage": "SIGN", "serialNumber": "1a2b3c", "signAlg": "ECGOST34310",
            "keyUser": ["INDIVIDUAL"], "publicKey": "", "signature": "",
            "subject": {"commonName": "АХМЕТОВА ДИНАРА", "surName": "АХМЕТОВА", "iin": IIN,
                        "country": "KZ", "dn": ""},
            "issuer": {"commonName": "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) 2022", "country": "KZ", "dn": ""}
        }]}]
    })
}

/// Replaces the signature algorithm OID (ecdsa-with-SHA256) of the signer info by
/// GOST R 34.10-2015/512 (1.2.398.3.10.1.1.2.3.2), as Kalkan's GOST signatures carry.
fn relabel_as_gost(der: &[u8]) -> Vec<u8> {
    use der::{Decode, Encode};
    let mut info = cms::content_info::ContentInfo::from_der(der).expect("cms");
    let mut signed: cms::signed_data::SignedData = info.content.decode_as().expect("signed");
    let mut signers: Vec<cms::signed_data::SignerInfo> = signed.signer_infos.0.into_vec();
    signers[0].signature_algorithm.oid =
        der::asn1::ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.2.3.2");
    signed.signer_infos = cms::signed_data::SignerInfos(signers.try_into().expect("set"));
    info.content = der::Any::encode_from(&signed).expect("encode");
    info.to_der().expect("der")
}

/// The fake NCALayer speaks the protocol and really signs with the key of the asked IIN.
#[tokio::test]
async fn fake_ncalayer_speaks_the_basics_protocol() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let ca = TestCa::new("ТЕСТ CA", KeyAlgorithm::P256).expect("ca");
    let key = ca
        .issue(&Person::individual(
            IIN,
            "Ахметова Динара",
            KeyAlgorithm::P256,
        ))
        .expect("key");
    let layer = FakeNcaLayer::spawn("127.0.0.1:0", vec![key])
        .await
        .expect("fake");
    let (mut ws, _) = tokio_tungstenite::connect_async(layer.url())
        .await
        .expect("connect");
    let Some(Ok(Message::Text(greeting))) = ws.next().await else {
        panic!("no greeting")
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(greeting.as_str()).expect("json"),
        json!({"result": {"version": "1.4"}})
    );
    let mut ask = async |text: String| -> serde_json::Value {
        ws.send(Message::Text(text.into())).await.expect("send");
        let Some(Ok(Message::Text(reply))) = ws.next().await else {
            panic!("no reply")
        };
        serde_json::from_str(reply.as_str()).unwrap_or(json!(reply.as_str()))
    };
    assert_eq!(ask("--heartbeat--".into()).await, json!("--heartbeat--"));
    assert_eq!(
        ask(json!({"module": "kz.unknown", "method": "x"}).to_string()).await["errorCode"],
        "MODULE_NOT_FOUND"
    );
    use base64::Engine as _;
    let sign = |iin: &str| {
        json!({"module": "kz.gov.pki.knca.basics", "method": "sign", "args": {
            "allowedStorages": ["PKCS12"], "format": "cms",
            "data": base64::engine::general_purpose::STANDARD.encode(DOCUMENT),
            "signingParams": {"decode": true, "encapsulate": false, "digested": false},
            "signerParams": {"extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"], "iin": iin, "chain": []},
            "locale": "kk"}})
        .to_string()
    };
    let reply = ask(sign(IIN)).await;
    assert_eq!(reply["status"], true, "{reply}");
    let pem = reply["body"]["result"][0].as_str().expect("pem");
    let cms = decode_cms_text(pem).expect("cms");
    let signer = verifier(&ca)
        .verify(&cms, DOCUMENT, Utc::now())
        .expect("valid");
    assert_eq!(signer.iin.as_deref(), Some(IIN));
    let reply = ask(sign("900101300123")).await;
    assert_eq!(
        (reply["status"].clone(), reply["code"].clone()),
        (json!(false), json!("SIGNING_FAILURE"))
    );
    layer.script(json!({"status": true, "body": {}}));
    assert_eq!(ask(sign(IIN)).await, json!({"status": true, "body": {}}));
}
