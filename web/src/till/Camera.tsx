/**
 * Camera scanning through the browser's BarcodeDetector, offered only where it exists
 * (Chromium on Android and ChromeOS, for instance); a keyboard-wedge scanner needs none of
 * this: it types into the scan field.
 */
import { useEffect, useRef, useState } from "react";
import { t } from "../i18n/strings";

interface DetectedBarcode { rawValue: string }
interface Detector { detect(source: HTMLVideoElement): Promise<DetectedBarcode[]> }
type DetectorClass = new (options: { formats: string[] }) => Detector;

function detectorClass(): DetectorClass | undefined {
  return (globalThis as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
}

export function CameraScan({ onCode }: { onCode: (code: string) => void }) {
  const [on, setOn] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const Detector = detectorClass();
    if (!on || !Detector || !video.current) return;
    const element = video.current;
    const detector = new Detector({ formats: ["ean_13", "upc_a", "ean_8", "code_128"] });
    let stream: MediaStream | null = null;
    let frame = 0;
    let last = "";
    let stopped = false;
    const look = async () => {
      if (stopped) return;
      const codes = await detector.detect(element).catch(() => []);
      const code = codes[0]?.rawValue;
      if (code && code !== last) {
        last = code;
        onCode(code);
      }
      frame = requestAnimationFrame(() => void look());
    };
    void navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((s) => {
      stream = s;
      element.srcObject = s;
      void element.play();
      void look();
    }, () => setOn(false));
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [on, onCode]);
  if (!detectorClass()) return null;
  return (
    <div className="camera">
      <button type="button" className="secondary" onClick={() => setOn(!on)}>{on ? t("till.cameraStop") : t("till.camera")}</button>
      {on ? <video ref={video} muted playsInline aria-label={t("till.camera")} /> : null}
    </div>
  );
}
