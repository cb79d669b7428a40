//! Reading what an SDP asks for before handing it to str0m.

use str0m::change::{SdpAnswer, SdpOffer};

use crate::{MediaError, MAX_SDP_BYTES};

pub(crate) fn parse_offer(sdp: &str) -> Result<SdpOffer, MediaError> {
    check_size(sdp)?;
    SdpOffer::from_sdp_string(sdp).map_err(|e| MediaError::BadSdp(e.to_string()))
}

pub(crate) fn parse_answer(sdp: &str) -> Result<SdpAnswer, MediaError> {
    check_size(sdp)?;
    SdpAnswer::from_sdp_string(sdp).map_err(|e| MediaError::BadSdp(e.to_string()))
}

fn check_size(sdp: &str) -> Result<(), MediaError> {
    if sdp.len() > MAX_SDP_BYTES {
        return Err(MediaError::BadSdp(format!("longer than {MAX_SDP_BYTES} bytes")));
    }
    Ok(())
}

/// How many audio and video tracks the SDP's author offers to send: m-sections of kind
/// audio or video, not stopped (port 0), whose direction is `sendonly` or `sendrecv`
/// (the default).
pub(crate) fn sending_tracks(sdp: &str) -> usize {
    let mut count = 0;
    let mut section: Option<(bool, bool)> = None; // (is audio/video and live, sends)
    let mut close = |section: Option<(bool, bool)>| {
        if section == Some((true, true)) {
            count += 1;
        }
    };
    for line in sdp.lines().map(str::trim) {
        if let Some(media) = line.strip_prefix("m=") {
            close(section);
            let mut words = media.split_whitespace();
            let kind = words.next().unwrap_or("");
            let port = words.next().unwrap_or("0");
            let live = matches!(kind, "audio" | "video") && port != "0";
            section = Some((live, true));
        } else if let Some((_, sends)) = section.as_mut() {
            match line {
                "a=sendonly" | "a=sendrecv" => *sends = true,
                "a=recvonly" | "a=inactive" => *sends = false,
                _ => {}
            }
        }
    }
    close(section);
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_live_sending_media_sections() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n\
                   m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n\
                   m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
        assert_eq!(sending_tracks(sdp), 2);
        assert_eq!(sending_tracks("v=0\r\n"), 0);
    }

    #[test]
    fn garbage_is_a_bad_sdp() {
        assert!(matches!(parse_offer("hello"), Err(MediaError::BadSdp(_))));
        assert!(matches!(parse_answer(&"a".repeat(MAX_SDP_BYTES + 1)), Err(MediaError::BadSdp(_))));
    }
}
